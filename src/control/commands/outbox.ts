/** `outbox`: the events for upstream, newest first, paged; credentials hidden unless a reveal is asked for (audited). */
import { containsCredentials, reveal } from '../../secrets/redact.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';
import { afterSeq, limit } from './args.js';
import { iso, recordAudit, type LedgerContext } from './context.js';

export function outboxCommands(ctx: LedgerContext): Map<string, CommandHandler> {
  const { ledger } = ctx;
  // `after` pages back through history: the events listed after seq N in this order, i.e. older
  // than N; `next` is the seq to pass for the page after this one. The control server hides every
  // credential in the answer; a reveal is audited, with the seqs shown.
  const outbox: CommandHandler = (args, { actor }) => {
    const wanted = limit(args, 100);
    const page = ledger.outbox.history({ beforeSeq: afterSeq(args), limit: wanted + 1, unsentOnly: args.unsentOnly === true });
    const events = page.slice(0, wanted);
    const result = {
      depth: ledger.outbox.depth(),
      ackedSeq: ledger.outbox.ackedSeq,
      confirmedSeq: ledger.outbox.confirmedSeq,
      lastAckAt: iso(ledger.outbox.lastAckAt()),
      upstream: ctx.daemon?.sync?.state() ?? null,
      events: events.map((e) => ({ seq: e.seq, id: e.id, type: e.type, at: iso(e.at), sent: e.sent, data: e.data })),
      next: page.length > wanted ? events.at(-1)!.seq : null,
    };
    const revealed = args.revealCodes === true ? events.filter((e) => containsCredentials(e.data)).map((e) => e.seq) : [];
    if (revealed.length === 0) return result;
    // A reveal is written to the audit trail first, which a read-only ledger cannot do.
    if (!ctx.daemon) throw new CommandError('revealing codes is audited, which needs the running daemon; start lockerd, or leave out --reveal-codes', 'unavailable');
    recordAudit(ctx, actor, 'outbox.codes_revealed', { events: revealed });
    return reveal(result);
  };
  return new Map([['outbox', outbox]]);
}
