import { expectArgs, UsageError, type CliCommand } from '../command.js';
import { table } from '../format-table.js';

/** `--addresses 5` or `--addresses 1-16`: the daemon checks the bounds. */
function addressRange(value: string | true): { from: number; to: number } {
  const m = typeof value === 'string' ? /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(value.trim()) : null;
  if (!m) throw new UsageError('--addresses takes one address or a range, e.g. --addresses 5 or --addresses 1-16');
  const from = Number(m[1]);
  return { from, to: m[2] === undefined ? from : Number(m[2]) };
}

/** Technician commands for doors, locks and lock-board buses. */
export const doorCommands: CliCommand[] = [
  {
    words: ['doors'],
    usage: 'doors',
    summary: 'live state of every door and sensor, and board health',
    group: 'locker',
    description: "Every door's live state as its board reports it (lock, door sensor, item sensor, open since), its parcel and whether it is out of service; then each board's health, error counters and detail.",
    examples: ['doors'],
    request: (args) => (expectArgs(args, 0, 'doors'), { command: 'doors', args: {} }),
    format: (result) => {
      const r = result as { doors: Record<string, unknown>[]; boards: { board: string; online: boolean; errors: number; detail: string; counters?: Record<string, number> }[] };
      const boards = r.boards.map((b) => ({ ...b, counters: b.counters ? Object.entries(b.counters).map(([k, v]) => `${k}=${v}`).join(' ') : null }));
      return `${table(r.doors, ['compartment', 'board', 'lock', 'door', 'itemPresent', 'openSince', 'parcelId', 'outOfService'])}\n${table(boards, ['board', 'online', 'errors', 'counters', 'detail'])}`;
    },
  },
  {
    words: ['lock', 'open'],
    usage: 'lock open COMPARTMENT --reason TEXT',
    summary: 'pulse one lock (audited with the reason)',
    group: 'technician',
    description: "Pulses the lock of COMPARTMENT and reports whether the latch then reads open. The reason goes into the audit trail with your Unix user. The parcel inside (if any) stays on record as in the compartment.",
    examples: ['lock open A03 --reason "resident locked out, checked ID"'],
    flags: [{ name: '--reason', value: true, arg: 'TEXT', help: 'why, for the audit trail' }],
    request: (args, flags) => {
      expectArgs(args, 1, 'lock open COMPARTMENT --reason TEXT');
      if (typeof flags['--reason'] !== 'string' || flags['--reason'].trim() === '') throw new UsageError('lock open needs --reason TEXT (it goes into the audit trail)');
      return { command: 'lock.open', args: { compartment: args[0], reason: flags['--reason'] } };
    },
    format: (result) => {
      const r = result as { compartment: string; outcome: string };
      const said = { confirmed_open: 'is open', unconfirmed: 'was commanded but the latch still reads closed (jammed or held shut?)', no_response: 'did not open: its board did not answer' }[r.outcome] ?? r.outcome;
      return `door ${r.compartment} ${said}\n`;
    },
  },
  {
    words: ['compartment', 'service'],
    usage: 'compartment service COMPARTMENT out|in [--reason TEXT]',
    summary: 'take a compartment out of service (--reason needed; audited, sent upstream) or put it back',
    group: 'technician',
    description: "Takes COMPARTMENT out of service (no new parcels go in; one inside can still be picked up) with a reason, audited and sent upstream, or puts it back in service. Doing what is already the case succeeds and says so.",
    examples: ['compartment service A02 out --reason "hinge broken"', 'compartment service A02 in'],
    flags: [{ name: '--reason', value: true, arg: 'TEXT', help: 'why, for the audit trail' }],
    request: (args, flags) => {
      const usage = 'compartment service COMPARTMENT out|in [--reason TEXT]';
      expectArgs(args, 2, usage);
      if (args[1] !== 'out' && args[1] !== 'in') throw new UsageError(`usage: lockerctl ${usage}`);
      const reason = flags['--reason'];
      if (args[1] === 'out' && (typeof reason !== 'string' || reason.trim() === '')) throw new UsageError('compartment service ... out needs --reason TEXT (it goes into the audit trail and upstream)');
      return { command: 'compartment.service', args: { compartment: args[0], inService: args[1] === 'in', ...(typeof reason === 'string' ? { reason } : {}) } };
    },
    format: (result) => {
      const r = result as { compartment: string; inService: boolean; reason: string | null; unchanged?: boolean; note?: string };
      if (r.unchanged) return `${r.note}\n`;
      return r.inService ? `compartment ${r.compartment} is back in service\n` : `compartment ${r.compartment} is out of service: ${r.reason}\n`;
    },
  },
  {
    words: ['bus', 'scan'],
    usage: 'bus scan [--addresses N|FROM-TO]',
    summary: 'which board addresses answer on each bus (all, or only those given; polling pauses meanwhile)',
    group: 'technician',
    progress: { label: 'scanning the buses' },
    description: 'Asks every board address (or only the given ones) on each lock-board bus whether a board answers, and with which protocol and how many locks: the way to find the addresses of newly wired boards. Polling pauses while it runs, which can take a while for all 247 addresses.',
    examples: ['bus scan', 'bus scan --addresses 1-16'],
    flags: [{ name: '--addresses', value: true, arg: 'N|FROM-TO', help: 'only this address or range' }],
    request: (args, flags) => {
      expectArgs(args, 0, 'bus scan [--addresses N|FROM-TO]');
      return { command: 'bus.scan', args: flags['--addresses'] === undefined ? {} : addressRange(flags['--addresses']) };
    },
    format: (result) =>
      (result as { bus: string; path?: string; found: { address: number; protocol: string; locks: number; board?: string }[]; error?: string }[])
        .map((b) => `bus ${b.bus}${b.path ? ` (${b.path})` : ''}${b.error ? `: ${b.error}` : ''}\n${table(b.found, ['address', 'protocol', 'locks', 'board'])}`)
        .join('\n'),
  },
];
