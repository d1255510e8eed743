import { resolve } from 'node:path';
import { afterFlag, expectArgs, limitFlag, UsageError, type CliCommand } from '../command.js';
import { displays, table } from '../format-table.js';
import { describeThrottle, type ThrottleView } from './throttle.js';

interface Status {
  kioskId: string; version: string; uptimeSeconds: number; bootCount: number; simulated: boolean;
  kiosk: { state: string; display: string | null };
  compartments: Record<string, { total: number; free: number; occupied: number; outOfService: number; parcels?: number }>;
  openDoors: { compartmentId: string; since: string }[];
  boards: { board: string; online: boolean; detail: string; errors: number }[];
  outbox: { unsent: number; oldestUnsentAt: number | null };
  upstream: { enabled: boolean; connected: boolean } | null;
  guessingWaitMs: number;
  throttle?: ThrottleView;
  returns?: { waiting: number; byCarrier: Record<string, number> };
  storage?: { rooms: StorageAreaLine[]; desks: StorageAreaLine[] };
  /** false when lockerctl answered from the ledger, the daemon being stopped; `unknown` says what that leaves out. */
  running?: false;
  unknown?: string;
}

interface StorageAreaLine { id: string; kind: string; parcels: number; capacity: number; free: number; outOfService: string | null }

/** One line per room and desk under the lockers' table: they hold parcels on places, not behind doors. */
function storageLines(s: Status): string[] {
  const areas = s.storage ? [...s.storage.rooms, ...s.storage.desks] : [];
  return areas.map((a) => `${a.kind} ${a.id}: ${a.parcels} of ${a.capacity} parcels, ${a.free} free${a.outOfService ? `; OUT OF SERVICE: ${a.outOfService}` : ''} (lockerctl storage lists its places)`);
}

/** The core commands: the locker's state, and driving the simulated keypad, scanner and doors. */
export const coreCommands: CliCommand[] = [
  {
    words: ['status'],
    usage: 'status',
    summary: 'the locker at a glance',
    group: 'locker',
    description: "The locker at a glance: its id, version, uptime and boot count, the kiosk's state and display, open doors, the upstream link and the outbox, the keypad throttle, compartments per size (free, occupied, out of service), each package room and front desk (parcels against capacity) and each lock board's health.",
    examples: ['status', '--json status | jq .compartments'],
    request: (args) => (expectArgs(args, 0, 'status'), { command: 'status', args: {} }),
    format: (result) => {
      const s = result as Status;
      const sizes = Object.entries(s.compartments).map(([size, c]) => ({ size, ...c }));
      const returns = s.returns ? [`returns waiting for their carrier (counted as occupied): ${s.returns.waiting}${s.returns.waiting > 0 ? ` (${Object.entries(s.returns.byCarrier).map(([c, n]) => `${c} ${n}`).join(', ')})` : ''}`] : [];
      // Answered from the ledger with the daemon stopped: only what the ledger knows.
      if (s.running === false) {
        return [
          `locker ${s.kioskId}  lockerd NOT RUNNING  last boot #${s.bootCount}${s.simulated ? '  (simulated hardware)' : ''}`,
          `${s.unknown}`,
          `outbox: ${s.outbox.unsent} unsent${s.outbox.oldestUnsentAt ? `, oldest ${new Date(s.outbox.oldestUnsentAt).toISOString()}` : ''}`,
          '',
          table(sizes, ['size', 'total', 'free', 'occupied', 'outOfService', 'parcels']).trimEnd(),
          ...returns,
          ...storageLines(s),
          '',
        ].join('\n');
      }
      return [
        `locker ${s.kioskId}  lockerd ${s.version}  up ${s.uptimeSeconds}s  boot #${s.bootCount}${s.simulated ? '  (simulated hardware)' : ''}`,
        `kiosk: ${s.kiosk.state}${s.kiosk.display ? ` — "${s.kiosk.display}"` : ''}`,
        `open doors: ${s.openDoors.length ? s.openDoors.map((d) => `${d.compartmentId} since ${d.since}`).join(', ') : 'none'}`,
        `upstream: ${!s.upstream ? 'n/a' : !s.upstream.enabled ? 'disabled in the config' : s.upstream.connected ? 'connected' : 'offline (events wait in the outbox)'}; outbox: ${s.outbox.unsent} unsent${s.outbox.oldestUnsentAt ? `, oldest ${new Date(s.outbox.oldestUnsentAt).toISOString()}` : ''}`,
        ...(s.throttle ? describeThrottle(s.throttle).map((l) => `keypad throttle, ${l}`) : [s.guessingWaitMs > 0 ? `keypad throttled for ${Math.ceil(s.guessingWaitMs / 1000)} s after wrong entries` : 'keypad: not throttled']),
        '',
        table(sizes, ['size', 'total', 'free', 'occupied', 'outOfService', 'parcels']).trimEnd(),
        ...returns,
        ...storageLines(s),
        '',
        table(s.boards, ['board', 'online', 'errors', 'detail']),
      ].join('\n');
    },
  },
  {
    words: ['selftest'],
    usage: 'selftest',
    summary: 'check ledger, key file, disk, clock, boards, inputs, upstream, doors and compartments; exit 2 if a check fails',
    group: 'technician',
    description: 'Checks the ledger, the key file, the disk, the clock, each lock board, the scanners and keypads, the upstream link, the doors and the compartments, one line each (PASS, WARN or FAIL with the detail). Exits 2 when a check fails, so a script or the installer can stop on it.',
    examples: ['selftest', 'selftest || echo "fix the FAIL lines first"'],
    request: (args) => (expectArgs(args, 0, 'selftest'), { command: 'selftest', args: {} }),
    format: (result) => {
      const r = result as { ok: boolean; checks: { check: string; verdict: string; detail: string }[] };
      const width = Math.max(...r.checks.map((c) => c.check.length));
      const lines = r.checks.map((c) => `${c.verdict.toUpperCase().padEnd(4)}  ${c.check.padEnd(width)}  ${c.detail}`);
      return `${lines.join('\n')}\n\n${r.ok ? 'self-test passed' : 'self-test FAILED: see the FAIL lines'}\n`;
    },
    exitCode: (result) => ((result as { ok: boolean }).ok ? 0 : 2),
  },
  {
    words: ['ledger', 'backup'],
    usage: 'ledger backup FILE',
    summary: 'a consistent copy of the live ledger in a new FILE (mode 600, written by the lockerd user); audited',
    group: 'technician',
    progress: { label: 'copying the ledger' },
    description: "Writes a consistent copy of the live ledger (SQLite's online backup, while lockerd keeps running) to FILE, which must not exist yet; the daemon writes it as the lockerd user, mode 600, and audits the backup. Keep lockerd.key with it: the codes in the copy are useless without it.",
    examples: ['ledger backup /var/backups/lockerd-$(date +%F).db'],
    request: (args) => {
      expectArgs(args, 1, 'ledger backup FILE');
      return { command: 'ledger.backup', args: { path: resolve(args[0]!) } };
    },
    format: (result) => {
      const r = result as { path: string; bytes: number; seconds: number };
      return `ledger copied to ${r.path} (${(r.bytes / 1024 / 1024).toFixed(1)} MiB in ${r.seconds.toFixed(1)} s); keep lockerd.key with it\n`;
    },
  },
  {
    words: ['compartments'],
    usage: 'compartments',
    summary: 'every compartment, its parcel and its door; rooms and desks counted in parcels',
    group: 'locker',
    description: 'Every compartment: its kind (locker, room or desk), size, board and lock, whether it is accessible, its door, how many parcels it holds and which, and whether it is out of service. A room or desk holds parcels on shelves or places: its row says how many against its capacity (lockerctl storage lists the places).',
    examples: ['compartments', '--json compartments | jq \'.[] | select(.doorOpen)\''],
    request: (args) => (expectArgs(args, 0, 'compartments'), { command: 'compartments', args: {} }),
    format: (result) => table(result as Record<string, unknown>[], ['id', 'kind', 'size', 'board', 'lock', 'accessible', 'doorOpen', 'parcels', 'capacity', 'parcelId', 'outOfService']),
  },
  {
    words: ['parcels'],
    usage: 'parcels [--state S] [--flagged] [--limit N]',
    summary: 'parcels, newest first; --state expired: those whose hold ended (still inside), oldest first, with how long past the hold; --flagged: package room parcels not scanned out in time',
    group: 'locker',
    description: "Parcels in the ledger, newest first. --state keeps one state (deposited, picked_up, expired, ...); --state expired lists the parcels whose hold has ended but that are still inside, oldest first, with how long past the hold and whether their code was stopped. --flagged lists the package room parcels flagged for staff (their resident was let in and did not scan them out in time; resolve each with lockerctl parcels resolve). Codes are never shown.",
    examples: ['parcels --limit 20', 'parcels --state expired', 'parcels --flagged'],
    flags: [{ name: '--state', value: true, arg: 'S', help: 'only parcels in state S (deposited, picked_up, expired, ...)' }, { name: '--flagged', value: false, help: 'package room parcels flagged for staff' }, { name: '--limit', value: true, arg: 'N', help: 'at most N rows' }],
    request: (args, flags) => {
      expectArgs(args, 0, 'parcels [--state S] [--flagged] [--limit N]');
      if (flags['--flagged'] === true) return { command: 'parcels.flagged', args: { ...limitFlag(flags) } };
      return { command: 'parcels', args: { ...(typeof flags['--state'] === 'string' ? { state: flags['--state'] } : {}), ...limitFlag(flags) } };
    },
    format: (result) => {
      const rows = result as Record<string, unknown>[];
      if (rows.length > 0 && rows.every((r) => 'flaggedAt' in r)) return table(rows, ['id', 'unit', 'roomId', 'placeId', 'tracking', 'flaggedAt']);
      if (rows.length > 0 && rows.every((r) => 'overdue' in r)) return table(rows, ['id', 'unit', 'compartmentId', 'size', 'expiresAt', 'overdue', 'codeStopped', 'carrier', 'tracking']);
      return table(rows, ['id', 'state', 'unit', 'compartmentId', 'placeId', 'carrier', 'tracking', 'depositedAt']);
    },
  },
  {
    words: ['outbox'],
    usage: 'outbox [--unsent] [--limit N] [--after SEQ] [--reveal-codes]',
    summary: 'events for upstream, newest first; --after SEQ lists those older than SEQ (the next page); credentials hidden unless --reveal-codes (audited)',
    group: 'locker',
    description: "The events waiting for or sent upstream, newest first, with the link's state and how far the broker acknowledged. --after SEQ pages to older events. Retrieval codes and other credentials are hidden unless --reveal-codes is given, which is audited.",
    examples: ['outbox --unsent', 'outbox --limit 50 --after 1200'],
    flags: [{ name: '--unsent', value: false, help: 'only the events not yet acknowledged by the broker' }, { name: '--limit', value: true, arg: 'N', help: 'at most N rows' }, { name: '--after', value: true, arg: 'SEQ', help: 'the events older than SEQ (the next page)' }, { name: '--reveal-codes', value: false, help: 'show retrieval codes and credentials (audited)' }],
    request: (args, flags) => {
      expectArgs(args, 0, 'outbox [--unsent] [--limit N] [--after SEQ] [--reveal-codes]');
      return { command: 'outbox', args: { revealCodes: flags['--reveal-codes'] === true, unsentOnly: flags['--unsent'] === true, ...limitFlag(flags), ...afterFlag(flags) } };
    },
    format: (result) => {
      const o = result as {
        depth: { unsent: number; oldestUnsentAt: number | null };
        ackedSeq: number;
        confirmedSeq: number;
        lastAckAt: string | null;
        upstream: { enabled: boolean; connected: boolean; lastAckAt: string | null; recentLatencyMs: { p50: number; p99: number } | null } | null;
        events: { seq: number; type: string; at: string; sent: boolean; data: unknown }[];
        next: number | null;
      };
      const u = o.upstream;
      const link = !u ? '' : !u.enabled ? 'upstream: disabled in the config\n' : `upstream: ${u.connected ? 'connected' : 'offline'}, acknowledged through seq ${o.ackedSeq} (last at ${o.lastAckAt ?? 'never'}), confirmed by upstream through seq ${o.confirmedSeq}${u.recentLatencyMs ? `, commit-to-PUBACK p50 ${u.recentLatencyMs.p50} ms p99 ${u.recentLatencyMs.p99} ms` : ''}\n`;
      const oldest = o.depth.oldestUnsentAt ? `, oldest from ${new Date(o.depth.oldestUnsentAt).toISOString()}` : '';
      const more = o.next === null ? '' : `older events: lockerctl outbox --after ${o.next} (with the same options)\n`;
      return `${link}${o.depth.unsent} unsent${oldest}\n${table(o.events.map((e) => ({ ...e, data: JSON.stringify(e.data) })), ['seq', 'type', 'at', 'sent', 'data'])}${more}`;
    },
  },
  {
    words: ['audit'],
    usage: 'audit [--limit N]',
    summary: 'the latest audit rows',
    group: 'locker',
    description: 'The latest rows of the audit trail, newest first: who did what (kiosk users, technicians by Unix user, the daemon) to which compartment, and the detail.',
    examples: ['audit --limit 50'],
    flags: [{ name: '--limit', value: true, arg: 'N', help: 'at most N rows' }],
    request: (args, flags) => (expectArgs(args, 0, 'audit [--limit N]'), { command: 'audit', args: limitFlag(flags) }),
    format: (result) =>
      table((result as Record<string, unknown>[]).map((a) => ({ ...a, detail: a.detail ? JSON.stringify(a.detail) : null })), ['id', 'at', 'actor', 'action', 'compartmentId', 'detail']),
  },
  {
    words: ['sim', 'scan'],
    usage: 'sim scan TEXT',
    summary: 'the simulated scanner reads TEXT',
    group: 'simulator',
    description: "The simulated scanner reads TEXT (the words are joined with spaces), as a courier's scan at the kiosk would; prints what the kiosk then shows. Needs simulator.scanner: true in the config (demo and test lockers only).",
    examples: ['sim scan 1Z999AA10123456784'],
    request: (args) => {
      if (args.length === 0) throw new UsageError('usage: lockerctl sim scan TEXT');
      return { command: 'sim.scan', args: { text: args.join(' ') } };
    },
    format: (result) => displays(result as Parameters<typeof displays>[0]),
  },
  {
    words: ['sim', 'keys'],
    usage: 'sim keys KEYS',
    summary: 'the simulated keypad presses KEYS (0-9 * # A-D), e.g. 111111#',
    group: 'simulator',
    description: "The simulated keypad presses KEYS, one by one (0-9, *, # and A-D), as a person at the kiosk would; prints what the kiosk then shows. Needs simulator.keypad: true in the config (demo and test lockers only).",
    examples: ['sim keys 111111#', 'sim keys "*"'],
    request: (args) => (expectArgs(args, 1, 'sim keys KEYS'), { command: 'sim.keys', args: { keys: args[0] } }),
    format: (result) => displays(result as Parameters<typeof displays>[0]),
  },
  {
    words: ['sim', 'sign'],
    usage: 'sim sign [--path PATH]',
    summary: 'the resident signs on the simulated signature pad (front desk)',
    group: 'simulator',
    description: 'At a front desk asking for a signature, the resident signs with PATH: SVG path data on the 1000x300 pad, "M x y" per stroke then relative "l dx dy ..." (docs/front-desk.md); without --path, a demo signature. Checked exactly as the screen\'s pad is; prints what the kiosk then shows. Needs simulator.keypad: true in the config (demo and test lockers only).',
    examples: ['sim sign', "sim sign --path 'M100 150l40 -60 40 120 40 -120 40 120 40 -120 40 120 40 -60'"],
    flags: [{ name: '--path', value: true, arg: 'PATH', help: 'the signature as SVG path data' }],
    request: (args, flags) => (expectArgs(args, 0, 'sim sign [--path PATH]'), { command: 'sim.sign', args: typeof flags['--path'] === 'string' ? { path: flags['--path'] } : {} }),
    format: (result) => displays(result as Parameters<typeof displays>[0]),
  },
  {
    words: ['sim', 'door'],
    usage: 'sim door COMPARTMENT open|close',
    summary: 'a person opens or shuts a simulated door',
    group: 'simulator',
    description: "A person opens or shuts the door of COMPARTMENT on the simulated lock board (a closed door cannot be opened while its lock holds it); prints what the kiosk then shows. Simulated buses only.",
    examples: ['sim door A03 close'],
    request: (args) => (expectArgs(args, 2, 'sim door COMPARTMENT open|close'), { command: 'sim.door', args: { compartment: args[0], action: args[1] } }),
    format: (result) => {
      const d = result as { compartment: string; door: string; changed: boolean };
      return `door ${d.compartment} ${d.changed ? `is now ${d.door}` : `was already ${d.door}`}\n${displays(result as Parameters<typeof displays>[0])}`;
    },
  },
];
