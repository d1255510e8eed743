import { parseScan, type ScanResult } from '../../barcode/index.js';
import { expectArgs, UsageError, type CliCommand, type Flags } from '../command.js';
import { table } from '../format-table.js';

/** `\x1d`-style escapes (and `\u001d`, `\\`) in a barcode typed on a command line. */
export function unescapeScan(text: string): string {
  return text.replace(/\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|\\)/g, (_m, e: string) => (e === '\\' ? '\\' : String.fromCharCode(parseInt(e.slice(1), 16))));
}

function positiveInt(flags: Flags, name: string, max: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${name} must be a whole number from 1 to ${max}`);
  return n;
}

function testRequest(kind: 'scanner' | 'keypad') {
  return (args: string[], flags: Flags) => {
    expectArgs(args, 0, `${kind} test [--device NAME] [--raw] [--minutes N]`);
    const device = flags['--device'];
    if (device === true) throw new UsageError('--device needs a device name');
    const minutes = positiveInt(flags, '--minutes', 120);
    return {
      command: 'input.test',
      args: { kind, raw: flags['--raw'] === true, json: flags['--json'] === true, ...(device !== undefined ? { device } : {}), ...(minutes !== undefined ? { minutes } : {}) },
    };
  };
}

const TEST_FLAGS = [{ name: '--device', value: true }, { name: '--raw', value: false }, { name: '--minutes', value: true }];

function streamEnd(result: unknown): string {
  const r = result as { stopped?: boolean; events?: number };
  return `${r.stopped ? 'stopped' : 'test ended'} (${r.events ?? 0} events)\n`;
}

function describeScanResult(r: ScanResult): string {
  const fields: [string, unknown][] = [
    ['kind', r.kind], ['carrier', r.carrier], ['tracking', r.tracking], ['valid', r.valid], ['symbology', r.symbology],
    ['pickup kiosk', r.pickup?.kioskId], ['reason', r.reason], ['length', r.length], ['excerpt', r.excerpt],
  ];
  return `${fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${String(v)}`).join('\n')}\n`;
}

/** Technician commands for scanners, keypads, barcodes and the cabinet's GPIO. */
export const inputCliCommands: CliCommand[] = [
  {
    words: ['inputs'],
    usage: 'inputs',
    summary: 'scanners and keypads: type, online, muted for flooding, detail, counters',
    request: (args) => (expectArgs(args, 0, 'inputs'), { command: 'inputs', args: {} }),
    format: (result) =>
      table(
        (result as { counters: Record<string, number> }[]).map((h) => ({ ...h, counters: Object.entries(h.counters).map(([k, v]) => `${k}=${v}`).join(' ') || null })),
        ['name', 'kind', 'type', 'online', 'muted', 'detail', 'counters'],
      ),
  },
  {
    words: ['scanner', 'test'],
    usage: 'scanner test [--device NAME] [--raw] [--minutes N]',
    summary: 'live decoded scans until Ctrl-C (--raw: bytes too); the kiosk ignores the scanner meanwhile',
    flags: TEST_FLAGS,
    request: testRequest('scanner'),
    format: streamEnd,
  },
  {
    words: ['keypad', 'test'],
    usage: 'keypad test [--device NAME] [--raw] [--minutes N]',
    summary: 'live keys until Ctrl-C (--raw: bytes too); the kiosk ignores the keypad meanwhile',
    flags: TEST_FLAGS,
    request: testRequest('keypad'),
    format: streamEnd,
  },
  {
    words: ['barcode', 'parse'],
    usage: 'barcode parse TEXT [--max-length N]',
    summary: 'classify a barcode locally, no daemon needed (\\x1d in TEXT is GS)',
    flags: [{ name: '--max-length', value: true }],
    local: (args, flags) => {
      if (args.length !== 1) throw new UsageError('usage: lockerctl barcode parse TEXT (quote it; write GS as \\x1d)');
      const maxLength = positiveInt(flags, '--max-length', 4096);
      return parseScan(unescapeScan(args[0]!), maxLength !== undefined ? { maxLength } : undefined);
    },
    format: (result) => describeScanResult(result as ScanResult),
  },
  {
    words: ['gpio'],
    usage: 'gpio',
    summary: 'the cabinet GPIO lines (tamper, power-fail, buzzer, lights) and their state',
    request: (args) => (expectArgs(args, 0, 'gpio'), { command: 'gpio.status', args: {} }),
    format: (result) => {
      const r = result as { configured: boolean; backend: string | null; error?: string; lines: Record<string, unknown>[] };
      if (!r.configured) return 'no GPIO lines are configured (see gpio.tamper, gpio.powerFail, gpio.buzzer, gpio.lights)\n';
      return `backend: ${r.backend ?? 'none'}${r.error ? ` (${r.error})` : ''}\n${table(r.lines, ['name', 'line', 'direction', 'activeLow', 'active', 'error'])}`;
    },
  },
  {
    words: ['gpio', 'pulse'],
    usage: 'gpio pulse OUTPUT [--ms N]',
    summary: 'drive an output (buzzer, lights.ok, lights.error, lights.busy) for N ms (default 200)',
    flags: [{ name: '--ms', value: true }],
    request: (args, flags) => {
      expectArgs(args, 1, 'gpio pulse OUTPUT [--ms N]');
      const ms = positiveInt(flags, '--ms', 5000);
      return { command: 'gpio.pulse', args: { name: args[0], ...(ms !== undefined ? { ms } : {}) } };
    },
    format: (result) => {
      const r = result as { output: string; ms: number };
      return `${r.output} pulsed for ${r.ms} ms\n`;
    },
  },
  {
    words: ['gpio', 'sim'],
    usage: 'gpio sim INPUT active|inactive',
    summary: 'simulated GPIO only: set the tamper or powerFail input',
    request: (args) => {
      expectArgs(args, 2, 'gpio sim INPUT active|inactive');
      if (args[1] !== 'active' && args[1] !== 'inactive') throw new UsageError('usage: lockerctl gpio sim INPUT active|inactive');
      return { command: 'gpio.sim', args: { name: args[0], active: args[1] === 'active' } };
    },
    format: (result) => {
      const r = result as { input: string; active: boolean; settlesAfterMs: number };
      return `${r.input} is now ${r.active ? 'active' : 'inactive'} (counts after ${r.settlesAfterMs} ms of debounce)\n`;
    },
  },
];
