/**
 * Pure parsers of what the kernel's sensor files hold, and the plausibility rules. No file I/O:
 * ./sysfs.ts reads the files and hands the text here.
 *
 * - DS18B20 `temperature` (w1_therm): millidegrees as decimal text, e.g. "23125\n";
 * - DS18B20 `w1_slave`: two lines, the first ending in "crc=xx YES" (or "NO"), the second "t=23125";
 * - hwmon `temp*_input`: millidegrees; `humidity*_input`: milli-percent;
 * - IIO `in_temp_input`: millidegrees; `in_humidityrelative_input`: milli-percent;
 *   `in_illuminance_input`: lux, possibly with decimals ("123.45").
 */
import type { ParsedValue, Quantity, RejectReason } from './types.js';

/** The DS18B20's power-on reset value (85.000 °C): the scratchpad before the first conversion. */
export const DS18B20_POWER_ON_MILLI = 85_000;
/** What w1_therm reports when the sensor did not answer. */
export const DS18B20_DISCONNECTED_MILLI = -127_000;

/** What the sensors can measure; anything outside is not a reading. */
export const PLAUSIBLE: Record<Quantity, { min: number; max: number }> = {
  temperature: { min: -55, max: 125 }, // the DS18B20's range; hwmon/IIO humidity chips measure less
  humidity: { min: 0, max: 100 },
  illuminance: { min: 0, max: 200_000 }, // direct sunlight is about 100 000 lx
};

const MAX_DETAIL = 40;

/** What was read, printable and bounded, for the reason line. */
export function shown(text: string): string {
  const one = text.replace(/[^\x20-\x7e]/g, (c) => (c === '\n' ? '\\n' : '?')).trim();
  return one.length > MAX_DETAIL ? `${one.slice(0, MAX_DETAIL)}...` : one;
}

function rejected(reason: RejectReason, detail: string): ParsedValue {
  return { ok: false, reason, detail };
}

/** Range check of a value in its unit. */
export function plausible(quantity: Quantity, value: number, raw: string): ParsedValue {
  const { min, max } = PLAUSIBLE[quantity];
  if (!Number.isFinite(value) || value < min || value > max) return rejected('out_of_range', `${raw} is outside ${min}..${max}`);
  return { ok: true, value };
}

/** A milli-unit integer file (temperature in m°C, humidity in m%). */
export function parseMilli(text: string, quantity: Quantity): ParsedValue {
  const t = text.trim();
  if (!/^-?\d{1,9}$/.test(t)) return rejected('unparsable', `"${shown(text)}" is not a whole number of milli-units`);
  const milli = Number(t);
  if (quantity === 'temperature') {
    if (milli === DS18B20_POWER_ON_MILLI) return rejected('power_on_value', '85.000 °C is the DS18B20 power-on value, not a measurement (check its power supply)');
    if (milli === DS18B20_DISCONNECTED_MILLI) return rejected('disconnected', '-127.000 °C: the sensor did not answer (check its wiring)');
  }
  return plausible(quantity, milli / 1000, `${milli / 1000}`);
}

/** The two-line `w1_slave` format: the CRC verdict, then "t=<millidegrees>". */
export function parseW1Slave(text: string): ParsedValue {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const crc = /crc=[0-9a-f]{2} (YES|NO)\s*$/i.exec(lines[0] ?? '');
  const t = /\bt=(-?\d{1,9})\s*$/.exec(lines[1] ?? '');
  if (!crc || !t) return rejected('unparsable', `"${shown(text)}" is not the w1_slave format (crc=.. YES, t=...)`);
  if (crc[1]!.toUpperCase() !== 'YES') return rejected('crc_error', 'the 1-Wire CRC check failed (noise on the cable? shorten it or add a 4.7 kΩ pull-up)');
  return parseMilli(t[1]!, 'temperature');
}

/** IIO illuminance: lux as a decimal number. */
export function parseLux(text: string): ParsedValue {
  const t = text.trim();
  if (!/^\d{1,7}(\.\d{1,6})?$/.test(t)) return rejected('unparsable', `"${shown(text)}" is not a number of lux`);
  return plausible('illuminance', Number(t), t);
}

/** A read failure as a reason: the file is gone (sensor unplugged) or the read failed. */
export function readFailure(err: unknown): ParsedValue {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ENOENT' || code === 'ENODEV' || code === 'ENXIO') return rejected('missing', `${String(code)}: the sensor's file is gone (unplugged?)`);
  return rejected('read_error', shown(message));
}
