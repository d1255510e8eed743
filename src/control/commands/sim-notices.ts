import type { LockerdConfig } from '../../config/types.js';
import type { Ledger } from '../../ledger/ledger.js';
import { TYPES_CARRYING_CODES } from '../../ledger/outbox.js';
import { reveal } from '../../secrets/redact.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';

/**
 * One notice the demo would have texted a resident: a parcel still waiting, and the code (and
 * pickup QR) upstream was sent for it. `code` is null once the outbox no longer holds it.
 */
export interface SimNotice {
  unit: string;
  compartmentId: string;
  /** The shelf or storage place, for a parcel in a room or at a desk. */
  placeId: string | null;
  parcelId: string;
  carrier: string | null;
  tracking: string | null;
  depositedAt: string | null;
  expiresAt: string | null;
  codeId: number;
  code: string | null;
  pickupQr: string | null;
  /** The outbox event that carried the code (`parcel.deposited` or `code.reissued`), or null. */
  seq: number | null;
}

export interface SimNotices {
  notices: SimNotice[];
  /** Why a notice has no code: said once, in the locker's words. */
  note: string | null;
}

/** Outbox events read per page while looking for the codes (newest first; a demo's outbox is small). */
const PAGE = 500;
const CODE_TYPES: readonly string[] = TYPES_CARRYING_CODES;

/** Only a locker with no real lock board is a demo: on a real one this would hand out residents' codes. */
function isSimulatedLocker(config: LockerdConfig): boolean {
  return config.buses.every((b) => b.type === 'sim');
}

/**
 * `sim.notices`: what upstream would have texted each resident with a parcel waiting, read from the
 * outbox, which keeps the code until upstream confirms the event (`events.ack`) or
 * `mqtt.codeRetentionHours` after the broker's PUBACK. A reveal, so audited like
 * `outbox --reveal-codes` (which events, who asked), and refused on a locker with real boards.
 */
export function simNoticeCommands(ctx: { config: LockerdConfig; ledger: Ledger; now?: () => number }): Map<string, CommandHandler> {
  const { config, ledger } = ctx;
  const now = ctx.now ?? Date.now;
  const handlers = new Map<string, CommandHandler>();

  handlers.set('sim.notices', (_args, { actor }) => {
    if (!isSimulatedLocker(config)) {
      throw new CommandError(
        'this locker has real lock boards: "sim notices" shows residents\' codes on a simulated locker only (every bus of type "sim"); on this one upstream sends the notices, and lockerctl outbox --reveal-codes (audited) shows what it was sent',
        'unavailable',
      );
    }
    const waiting = ledger.parcels
      .list({ state: 'deposited', limit: 10_000 })
      .filter((p) => p.direction === 'inbound' && p.codeId !== null)
      .reverse(); // oldest first: the order the residents were told
    const wanted = new Set(waiting.map((p) => p.codeId!));
    const codes = new Map<number, { code: string; pickupQr: string | null; seq: number }>();
    // Newest first, so a reissued code wins over the one it replaced; stop once every code is found.
    let before: number | undefined;
    while (codes.size < wanted.size) {
      const page = ledger.outbox.history({ beforeSeq: before, limit: PAGE });
      for (const e of page) {
        const codeId = e.data.codeId;
        if (!CODE_TYPES.includes(e.type) || typeof codeId !== 'number' || !wanted.has(codeId) || codes.has(codeId)) continue;
        // A parcel joining a live code carries none (it came in an earlier event), nor does an event
        // whose code was erased: look further back, and find nothing for an erased code.
        if (typeof e.data.code !== 'string') continue;
        codes.set(codeId, { code: e.data.code, pickupQr: typeof e.data.pickupQr === 'string' ? e.data.pickupQr : null, seq: e.seq });
      }
      if (page.length < PAGE) break;
      before = page.at(-1)!.seq;
    }
    const notices: SimNotice[] = waiting.map((p) => {
      const c = codes.get(p.codeId!);
      return {
        unit: p.unit,
        compartmentId: p.compartmentId,
        placeId: p.placeId,
        parcelId: p.id,
        carrier: p.carrier,
        tracking: p.tracking,
        depositedAt: p.depositedAt === null ? null : new Date(p.depositedAt).toISOString(),
        expiresAt: p.expiresAt === null ? null : new Date(p.expiresAt).toISOString(),
        codeId: p.codeId!,
        code: c?.code ?? null,
        pickupQr: c?.pickupQr ?? null,
        seq: c?.seq ?? null,
      };
    });
    const missing = notices.some((n) => n.code === null);
    const result: SimNotices = {
      notices,
      note: missing
        ? `a code is no longer in the outbox: upstream confirmed its event (events.ack), or the broker acknowledged it more than mqtt.codeRetentionHours (${config.mqtt.codeRetentionHours} h) ago; upstream has it, and code.reissue gives the resident a new one`
        : null,
    };
    const shown = [...new Set(notices.filter((n) => n.code !== null).map((n) => n.seq!))].sort((a, b) => a - b);
    if (shown.length === 0) return result;
    ledger.transaction(() => ledger.audit.record({ at: now(), actor, action: 'sim.notices_revealed', detail: { events: shown } }));
    return reveal(result);
  });

  return handlers;
}

