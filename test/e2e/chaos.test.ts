import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../drivers/sim/prng.js';
import { upsCheckDigit } from '../../src/barcode/checkdigits.js';
import { request } from '../../src/control/client.js';
import { Daemon } from '../helpers/daemon.js';
import { tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';

const SEED = process.env.CHAOS_SEED !== undefined ? Number(process.env.CHAOS_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const ROUNDS = 16;
/** allocation.shareCompartments of the test config (the default). */
const SHAREABLE = ['L', 'XL'];

interface Row {
  [k: string]: unknown;
}

/** A UPS 1Z tracking number with a valid check digit, unique per `n`: a resident's prepaid return label. */
function returnLabel(n: number): string {
  const body = `999AA1${String(n).padStart(9, '0')}`;
  return `1Z${body}${upsCheckDigit(body)}`;
}

/** The invariants that must hold after any crash (DESIGN testing layer 6). */
function checkInvariants(dbPath: string): { deposited: { id: string; compartment_id: string; code_id: number }[] } {
  const db = new Database(dbPath, { readonly: true });
  try {
    // Outbox: seq 1..max with no gap (nothing is pruned without a broker).
    const seqs = (db.prepare('SELECT seq FROM outbox ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    // Every door operation has its intent in the audit trail, written before the lock fired.
    const ops = db.prepare('SELECT id FROM door_operations').all() as { id: number }[];
    const audited = new Set((db.prepare(`SELECT json_extract(detail, '$.operation') AS op FROM audit WHERE action = 'door.unlock_requested'`).all() as { op: number }[]).map((r) => r.op));
    for (const op of ops) expect(audited.has(op.id), `door operation ${op.id} has no audit row`).toBe(true);
    // Every waiting delivery has a live code; every deposit, pickup and recall has exactly one event.
    const deposited = db.prepare(`SELECT p.id, p.compartment_id, p.code_id FROM parcels p JOIN retrieval_codes c ON c.id = p.code_id WHERE p.state = 'deposited' AND p.direction = 'inbound' AND c.state = 'live'`).all() as { id: string; compartment_id: string; code_id: number }[];
    expect(deposited.length).toBe((db.prepare(`SELECT count(*) AS n FROM parcels WHERE state = 'deposited' AND direction = 'inbound'`).get() as { n: number }).n);
    const events = db.prepare(`SELECT type, json_extract(payload, '$.parcelId') AS parcel FROM outbox WHERE type IN ('parcel.deposited','parcel.picked_up','parcel.recalled','return.deposited','return.collected')`).all() as { type: string; parcel: string }[];
    const count = (type: string, parcel: string): number => events.filter((e) => e.type === type && e.parcel === parcel).length;
    for (const p of db.prepare(`SELECT id, state FROM parcels WHERE direction = 'inbound' AND state IN ('deposited','picked_up','recalled','returned')`).all() as Row[]) {
      expect(count('parcel.deposited', p.id as string), `deposit event of ${String(p.id)}`).toBe(1);
      expect(count('parcel.picked_up', p.id as string)).toBe(p.state === 'picked_up' ? 1 : 0);
      // Staff recalls (chaos sends no remote door.open): `recalled`, or `returned` to the sender.
      expect(count('parcel.recalled', p.id as string), `recall event of ${String(p.id)} (${String(p.state)})`).toBe(p.state === 'recalled' || p.state === 'returned' ? 1 : 0);
    }
    // Returns: no code ever; one event when dropped off, one when collected.
    expect(db.prepare(`SELECT count(*) AS n FROM parcels WHERE direction = 'outbound' AND code_id IS NOT NULL`).get()).toEqual({ n: 0 });
    for (const p of db.prepare(`SELECT id, state FROM parcels WHERE direction = 'outbound' AND state IN ('deposited','collected')`).all() as Row[]) {
      expect(count('return.deposited', p.id as string), `return event of ${String(p.id)}`).toBe(1);
      expect(count('return.collected', p.id as string)).toBe(p.state === 'collected' ? 1 : 0);
    }
    // At most one parcel on its way in or waiting per compartment, unless the compartment's size is
    // shareable (allocation.shareCompartments, default L and XL), and then all of them for one unit
    // under one code, with at most one of them still on its way in.
    const shared = db.prepare(
      `SELECT p.compartment_id, c.size, count(*) AS n, count(DISTINCT p.unit) AS units, count(DISTINCT p.code_id) AS codes, sum(p.state = 'reserved') AS reserved
       FROM parcels p JOIN compartments c ON c.id = p.compartment_id
       WHERE p.state IN ('reserved','deposited') GROUP BY p.compartment_id HAVING n > 1`,
    ).all() as { compartment_id: string; size: string; n: number; units: number; codes: number; reserved: number }[];
    for (const c of shared) {
      expect(SHAREABLE, `${c.compartment_id} (${c.size}) holds ${c.n} parcels`).toContain(c.size);
      expect(c.units, `${c.compartment_id} holds parcels of ${c.units} units`).toBe(1);
      expect(c.codes, `${c.compartment_id} holds parcels under ${c.codes} codes`).toBe(1);
      expect(c.reserved, `${c.compartment_id} has ${c.reserved} parcels on their way in`).toBeLessThanOrEqual(1);
    }
    return { deposited };
  } finally {
    db.close();
  }
}

describe('chaos: the daemon killed at random moments', () => {
  it(`keeps every parcel and code, and accounts for every door (seed ${SEED})`, async () => {
    const { dir, cleanup } = tempDir();
    const rand = mulberry32(SEED);
    const configPath = writeConfig(dir, testConfigJson(dir, { log: { level: 'info' } }));
    const socket = join(dir, 'lockerd.sock');
    const dbPath = join(dir, 'lockerd.db');
    /** Codes as upstream would have received them, by code id. */
    const codes = new Map<number, string>();
    const call = (command: string, args: Record<string, unknown>): Promise<unknown> => request(socket, command, args, 5000).catch(() => undefined);
    let daemon: Daemon | undefined;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        daemon = Daemon.spawn(configPath);
        await daemon.ready();
        // Learn new codes from the outbox, as upstream would.
        const outbox = (await call('outbox', { revealCodes: true, limit: 10_000 })) as { events: { type: string; data: { code?: string; codeId?: number } }[] } | undefined;
        for (const e of outbox?.events ?? []) if (e.data.code && e.data.codeId) codes.set(e.data.codeId, e.data.code);

        // A burst of kiosk work, not awaited: the kill lands somewhere in the middle of it.
        const unit = String(101 + Math.floor(rand() * 5));
        const work = (async () => {
          // A door stays open a moment, as a person takes a while: the kill often lands while one is open.
          const close = async (compartment: string): Promise<unknown> => {
            await new Promise((r) => setTimeout(r, Math.floor(rand() * 200)));
            return call('sim.door', { compartment, action: 'close' });
          };
          /** One parcel for `unit`: a large one now and then, shared with the unit's waiting ones whenever offered (key C). */
          const depositOne = async (tracking: string): Promise<void> => {
            await call('sim.scan', { text: tracking });
            const asked = (await call('sim.keys', { keys: `${unit}#` })) as { displays?: { text: string }[] } | undefined;
            const offered = /Press C to add/.test(asked?.displays?.at(-1)?.text ?? '');
            const opened = (await call('sim.keys', { keys: offered ? 'C' : rand() < 0.5 ? '3#' : '#' })) as { displays?: { text: string }[] } | undefined;
            const door = /^Door (\w+) is open/.exec(opened?.displays?.at(-1)?.text ?? '')?.[1];
            if (door) await close(door);
          };
          await call('sim.keys', { keys: '111111#' });
          // Two tracking numbers per round, for one unit: the locker refuses one already inside.
          await depositOne(`CHAOS${String(round).padStart(6, '0')}A`);
          await depositOne(`CHAOS${String(round).padStart(6, '0')}B`);
          await call('sim.keys', { keys: '*' });
          // Then one of: staff recall a waiting parcel, a resident drops off a return, a courier collects returns.
          const extra = rand();
          const last = (r: unknown): string => (r as { displays?: { text: string }[] } | undefined)?.displays?.at(-1)?.text ?? '';
          if (extra < 1 / 3) {
            const waiting = ((await call('parcels', { state: 'deposited', limit: 50 })) as { compartmentId: string; direction: string }[] | undefined)?.filter((p) => p.direction === 'inbound');
            const target = waiting?.[Math.floor(rand() * waiting.length)]?.compartmentId;
            if (target) {
              await call('sim.keys', { keys: '9999#' });
              await call('sim.keys', { keys: '2#' });
              // Within its hold: staff confirm with 9 (the recall of a parcel not expired needs it).
              if (/Press 9/.test(last(await call('sim.keys', { keys: `${target}#` })))) await call('sim.keys', { keys: '9#' });
              await call('sim.keys', { keys: rand() < 0.5 ? '1#' : '2#' });
              await close(target);
              await call('sim.keys', { keys: '*' });
            }
          } else if (extra < 2 / 3) {
            await call('sim.keys', { keys: 'B' });
            await call('sim.scan', { text: returnLabel(round) });
            await call('sim.keys', { keys: `${unit}#` });
            const door = /^Door (\w+) is open/.exec(last(await call('sim.keys', { keys: '#' })))?.[1];
            if (door) await close(door);
          } else {
            await call('sim.keys', { keys: '111111#' });
            let door = /^Door (\w+) is open/.exec(last(await call('sim.keys', { keys: 'C' })))?.[1];
            while (door) {
              await call('sim.keys', { keys: '#' });
              const next = last(await close(door));
              door = /^Door (\w+) is open/.exec(next)?.[1];
            }
            await call('sim.keys', { keys: '*' });
          }
          const [codeId, code] = [...codes.entries()][Math.floor(rand() * Math.max(1, codes.size))] ?? [];
          if (code && codeId) {
            const picked = (await call('sim.keys', { keys: `${code}#` })) as { displays?: { text: string }[] } | undefined;
            for (const d of picked?.displays ?? []) {
              const m = /^Door (\w+) is open\. Take/.exec(d.text);
              if (m) await close(m[1]!);
            }
          }
        })();
        // Anywhere in the burst (two deposits, a recall or a return, and a pickup take one to two seconds through the socket).
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 2500)));
        daemon.child.kill('SIGKILL');
        await daemon.exited;
        await work;
        checkInvariants(dbPath);
      }

      // After the last crash: every waiting parcel still opens with the code upstream received.
      daemon = Daemon.spawn(configPath);
      await daemon.ready();
      const outbox = (await call('outbox', { revealCodes: true, limit: 10_000 })) as { events: { data: { code?: string; codeId?: number } }[] };
      for (const e of outbox.events) if (e.data.code && e.data.codeId) codes.set(e.data.codeId, e.data.code);
      const { deposited } = checkInvariants(dbPath);
      for (const codeId of new Set(deposited.map((p) => p.code_id))) {
        const code = codes.get(codeId);
        expect(code, `code ${codeId} was never sent upstream`).toBeDefined();
        const r = (await call('sim.keys', { keys: `${code}#` })) as { displays: { text: string }[] };
        for (const d of r.displays) {
          const m = /^Door (\w+) is open\. Take/.exec(d.text);
          expect(m, d.text).not.toBeNull();
          await call('sim.door', { compartment: m![1], action: 'close' });
        }
      }
      const after = checkInvariants(dbPath);
      expect(after.deposited).toEqual([]);
      const db = new Database(dbPath, { readonly: true });
      // What the kills did, for whoever reads the test log.
      console.info(`chaos seed ${SEED}:`, JSON.stringify({
        parcels: db.prepare('SELECT direction, state, count(*) AS n FROM parcels GROUP BY direction, state').all(),
        sharedDeposits: (db.prepare(`SELECT count(*) AS n FROM audit WHERE action = 'door.unlock_requested' AND json_extract(detail, '$.shared') = 1`).get() as { n: number }).n,
        doorOperations: db.prepare('SELECT purpose, state, count(*) AS n FROM door_operations GROUP BY purpose, state').all(),
      }));
      db.close();
      expect(daemon.output).not.toMatch(/\b111111\b/);
    } finally {
      await daemon?.stop();
      cleanup();
    }
  }, 120_000);
});
