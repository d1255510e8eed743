/** `audit`: the latest audit rows, newest first. A read. */
import type { CommandHandler } from '../server.js';
import { limit } from './args.js';
import { iso, type LedgerContext } from './context.js';

export function auditCommands(ctx: Pick<LedgerContext, 'ledger'>): Map<string, CommandHandler> {
  return new Map<string, CommandHandler>([['audit', (args) => ctx.ledger.audit.recent(limit(args, 50)).map((a) => ({ ...a, at: iso(a.at) }))]]);
}
