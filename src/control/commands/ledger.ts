/** `ledger.backup`: a consistent copy of the live ledger in a new file, audited. */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';
import { str } from './args.js';
import { recordAudit, type LedgerContext } from './context.js';

export function ledgerCommands(ctx: LedgerContext): Map<string, CommandHandler> {
  const { ledger } = ctx;
  return new Map<string, CommandHandler>([
    [
      'ledger.backup',
      async (args, { actor }) => {
        const path = str(args, 'path', 4096);
        if (!isAbsolute(path)) throw new CommandError(`"${path}" is not an absolute path (the daemon's working directory is not yours)`, 'usage');
        if (existsSync(path)) throw new CommandError(`${path} exists; give a new file name (a backup never overwrites)`, 'refused');
        if (!existsSync(dirname(path))) throw new CommandError(`the directory ${dirname(path)} does not exist`, 'usage');
        const started = ctx.now();
        let bytes: number;
        try {
          ({ bytes } = await ledger.backupTo(path));
        } catch (err) {
          const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
          throw new CommandError(`cannot write ${path} (${why}); the lockerd user must be able to write to ${dirname(path)}`, 'permission');
        }
        recordAudit(ctx, actor, 'ledger.backed_up', { path, bytes });
        return { path, bytes, seconds: (ctx.now() - started) / 1000 };
      },
    ],
  ]);
}
