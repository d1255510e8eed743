import type { ScanResult } from '../../barcode/index.js';
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

const TEST_FLAGS = [{ name: '--device', value: true, arg: 'NAME', help: 'only this device (see lockerctl inputs)' }, { name: '--raw', value: false, help: 'show the bytes too' }, { name: '--minutes', value: true, arg: 'N', help: 'stop after N minutes (1-120)' }];

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
    group: 'devices',
    description: 'The scanners and keypads the daemon runs: their type, whether they are online, whether one is muted for flooding the kiosk, the detail and their counters.',
    examples: ['inputs'],
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
    group: 'devices',
    streams: true,
    description: 'Shows each scan as the scanner sends it, decoded (with --raw, its bytes too), until Ctrl-C or --minutes N; the kiosk ignores that scanner meanwhile. With --json, one JSON object per scan and the summary last.',
    examples: ['scanner test --raw', '--json scanner test --minutes 5'],
    flags: TEST_FLAGS,
    request: testRequest('scanner'),
    format: streamEnd,
  },
  {
    words: ['keypad', 'test'],
    usage: 'keypad test [--device NAME] [--raw] [--minutes N]',
    summary: 'live keys until Ctrl-C (--raw: bytes too); the kiosk ignores the keypad meanwhile',
    group: 'devices',
    streams: true,
    description: 'Shows each key as the keypad sends it (with --raw, its bytes too), until Ctrl-C or --minutes N; the kiosk ignores that keypad meanwhile. With --json, one JSON object per key and the summary last.',
    examples: ['keypad test', 'keypad test --device front --raw'],
    flags: TEST_FLAGS,
    request: testRequest('keypad'),
    format: streamEnd,
  },
  {
    words: ['barcode', 'parse'],
    usage: 'barcode parse TEXT [--max-length N]',
    summary: 'classify a barcode locally, no daemon needed (\\x1d in TEXT is GS)',
    group: 'tools',
    description: "Classifies TEXT as lockerd would a scan, without the daemon: a carrier's tracking number (and whether its check digit holds), a pickup QR, a staff badge or unknown. Quote TEXT; write a GS separator as \\x1d.",
    examples: ['barcode parse 1Z999AA10123456784', "barcode parse '[)>\\x1e01\\x1d...'"],
    flags: [{ name: '--max-length', value: true, arg: 'N', help: 'the longest scan accepted (1-4096)' }],
    local: async (args, flags) => {
      if (args.length !== 1) throw new UsageError('usage: lockerctl barcode parse TEXT (quote it; write GS as \\x1d)');
      const maxLength = positiveInt(flags, '--max-length', 4096);
      // The carriers' tables load only for this command.
      const { parseScan } = await import('../../barcode/index.js');
      return parseScan(unescapeScan(args[0]!), maxLength !== undefined ? { maxLength } : undefined);
    },
    format: (result) => describeScanResult(result as ScanResult),
  },
  {
    words: ['gpio'],
    usage: 'gpio',
    summary: 'the cabinet GPIO lines (tamper, power-fail, buzzer, lights) and their state',
    group: 'devices',
    description: 'The cabinet GPIO lines (tamper, power-fail, buzzer, lights): their line, direction, polarity and whether each is active now.',
    examples: ['gpio'],
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
    group: 'devices',
    description: 'Drives an output (buzzer, lights.ok, lights.error, lights.busy) for N ms (default 200, at most 5000), to check its wiring.',
    examples: ['gpio pulse buzzer --ms 500'],
    flags: [{ name: '--ms', value: true, arg: 'N', help: 'how long, in ms (1-5000; default 200)' }],
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
    group: 'simulator',
    description: 'Sets the tamper or powerFail input of the simulated GPIO backend active or inactive, as the switch would; it counts after the debounce time. Simulated GPIO only.',
    examples: ['gpio sim tamper active'],
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
