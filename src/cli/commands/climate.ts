import type { ClimateStatus, SwitchStatus } from '../../cabinet/climate.js';
import { expectArgs, UsageError, type CliCommand, type Flags } from '../command.js';
import { table } from '../format-table.js';

const UNIT: Record<string, string> = { temperature: '°C', humidity: '%RH', illuminance: 'lx' };

function switchLine(name: string, s: SwitchStatus): string {
  if (!s.wired) return `${name}: not wired\n`;
  const state = s.on === null ? 'unusable' : s.on ? 'ON' : 'off';
  return `${name}: ${state} (GPIO ${s.line}${s.since ? `, since ${s.since}` : ''})${s.error ? `: ${s.error}` : ''}\n`;
}

export function formatClimate(result: unknown): string {
  const r = result as ClimateStatus | { enabled: false };
  if (!r.enabled) return 'the cabinet climate watch is off (cabinet.enabled is false; see docs/cabinet.md)\n';
  const s = r as ClimateStatus;
  const rows = s.sensors.map((x) => ({
    sensor: x.id,
    reading: x.lost ? 'LOST' : x.value === null ? '-' : `${Math.round(x.value * 100) / 100} ${UNIT[x.quantity] ?? ''}`,
    rejected: x.rejected,
    'last rejected': x.lastReason ? `${x.lastReason}: ${x.lastDetail ?? ''}` : '-',
    source: x.source,
  }));
  const alarms = [s.alarms.tooCold && 'TOO COLD', s.alarms.tooHot && 'TOO HOT', s.alarms.blind && 'NO TEMPERATURE SENSOR (heater off, fan on)', ...s.alarms.lost.map((id) => `sensor ${id} lost`)].filter(Boolean);
  return [
    table(rows, ['sensor', 'reading', 'rejected', 'last rejected', 'source']),
    switchLine('heater', s.heater),
    switchLine('fan', s.fan),
    `alarms: ${alarms.length > 0 ? alarms.join(', ') : 'none'}\n`,
    s.brightness.mode === 'off' ? '' : `brightness: ${s.brightness.percent ?? '-'} % (${s.brightness.mode}, ${s.brightness.backlight ?? 'no backlight'})${s.brightness.error ? `: ${s.brightness.error}` : ''}\n`,
    s.sim ? `simulated: cabinet ${s.sim.temperatureC} °C, outside ${s.sim.ambientC} °C${s.sim.sensorLost ? ', sensors unplugged' : ''}\n` : '',
    `last poll ${s.lastPollAt ?? 'not yet'}; telemetry every ${Math.round(s.telemetry.everyMs / 60_000)} min\n`,
  ].join('');
}

function celsius(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name} takes a temperature in °C, e.g. ${name} -15`);
  return n;
}

/** The outdoor cabinet: its climate, and driving the simulated one. */
export const climateCliCommands: CliCommand[] = [
  {
    words: ['climate'],
    usage: 'climate',
    summary: 'the cabinet climate: readings, rejected readings and why, heater, fan, alarms, brightness',
    group: 'devices',
    description:
      'The outdoor cabinet\'s climate: each sensor\'s last good reading (LOST once it counts as lost), how many readings were rejected and the last reason (85 °C power-on value, -127 °C, read errors...), the heater and the fan, the alarms in force and the screen\'s brightness.',
    examples: ['climate', 'climate --json'],
    request: (args) => (expectArgs(args, 0, 'climate'), { command: 'climate.status', args: {} }),
    format: formatClimate,
  },
  {
    words: ['sim', 'climate'],
    usage: 'sim climate --temp C|--reading V|--sensor-lost|--sensor-back',
    summary: 'drive the simulated cabinet climate (temperature, a nonsense reading, an unplugged sensor)',
    group: 'simulator',
    description:
      'Drives the simulated climate, then polls at once and shows the climate as `lockerctl climate` does. --temp: the cabinet (and the outside) is at C now; --ambient: the outside only, the cabinet follows slowly; --reading: the temperature sensors report V (°C, e.g. 85 or -127, or any text) for the next --polls N polls (default 1); --sensor-lost / --sensor-back: their files vanish / come back. Audited.',
    examples: ['sim climate --temp -15', 'sim climate --reading 85 --polls 3', 'sim climate --sensor-lost'],
    flags: [
      { name: '--temp', value: true, arg: 'C', help: 'the cabinet is at C °C now (and the outside too)' },
      { name: '--ambient', value: true, arg: 'C', help: 'the outside is at C °C; the cabinet follows' },
      { name: '--reading', value: true, arg: 'V', help: 'the sensors report V (°C or raw text)' },
      { name: '--polls', value: true, arg: 'N', help: 'for this many polls (default 1)' },
      { name: '--sensor-lost', value: false, help: 'unplug the simulated sensors' },
      { name: '--sensor-back', value: false, help: 'plug them back in' },
    ],
    request: (args, flags) => {
      expectArgs(args, 0, 'sim climate --temp C|--reading V|--sensor-lost|--sensor-back');
      if (flags['--sensor-lost'] && flags['--sensor-back']) throw new UsageError('--sensor-lost and --sensor-back exclude each other');
      const temp = celsius(flags, '--temp');
      const ambient = celsius(flags, '--ambient');
      const reading = flags['--reading'];
      if (reading === true) throw new UsageError('--reading takes a value: °C (85, -127) or the text the sensor file should hold');
      const pollsFlag = flags['--polls'];
      if (pollsFlag !== undefined && reading === undefined) throw new UsageError('--polls goes with --reading');
      const polls = pollsFlag === undefined ? undefined : Number(pollsFlag);
      if (polls !== undefined && (pollsFlag === true || !Number.isInteger(polls) || polls < 1 || polls > 1000)) throw new UsageError('--polls must be a whole number from 1 to 1000');
      const lost = flags['--sensor-lost'] ? true : flags['--sensor-back'] ? false : undefined;
      if (temp === undefined && ambient === undefined && reading === undefined && lost === undefined) throw new UsageError('say what to simulate: --temp, --ambient, --reading, --sensor-lost or --sensor-back');
      return {
        command: 'sim.climate',
        args: { ...(temp !== undefined ? { temp } : {}), ...(ambient !== undefined ? { ambient } : {}), ...(reading !== undefined ? { reading } : {}), ...(polls !== undefined ? { polls } : {}), ...(lost !== undefined ? { sensorLost: lost } : {}) },
      };
    },
    format: formatClimate,
  },
];
