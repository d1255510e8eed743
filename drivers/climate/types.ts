/**
 * The cabinet's climate hardware as the core sees it: sensors that give one reading at a time
 * (or a rejected reading with its reason) and a backlight that takes a brightness. Drivers never
 * import the core; the core depends only on these types.
 */

export type Quantity = 'temperature' | 'humidity' | 'illuminance';

/** Units: °C, % relative humidity, lux. */
export const QUANTITY_UNIT: Record<Quantity, string> = { temperature: '°C', humidity: '%RH', illuminance: 'lx' };

/**
 * Why a reading was refused:
 * - `power_on_value`: a DS18B20's 85.000 °C, what it reports before its first conversion
 *   (a brown-out or a read right after power-up), never a measurement to trust;
 * - `disconnected`: -127 °C, what the w1 driver reports when the sensor did not answer;
 * - `crc_error`: the w1 driver's CRC check failed (noise on a long cable);
 * - `out_of_range`: outside what the sensor can measure (DS18B20: -55..125 °C; humidity 0..100 %);
 * - `unparsable`: the file held something other than a number;
 * - `missing`: the file is gone (sensor unplugged: ENOENT, ENODEV);
 * - `read_error`: reading the file failed otherwise (EIO on a flaky 1-Wire bus);
 * - `timeout`: the read did not finish in time.
 */
export type RejectReason = 'power_on_value' | 'disconnected' | 'crc_error' | 'out_of_range' | 'unparsable' | 'missing' | 'read_error' | 'timeout';

export const REJECT_REASONS: readonly RejectReason[] = ['power_on_value', 'disconnected', 'crc_error', 'out_of_range', 'unparsable', 'missing', 'read_error', 'timeout'];

/** A parsed value, or the reason it was refused (with what was read, bounded, for the technician). */
export type ParsedValue = { ok: true; value: number } | { ok: false; reason: RejectReason; detail: string };

export type SensorReading = ParsedValue & { sensor: string; quantity: Quantity; at: number };

export interface ClimateSensor {
  readonly id: string;
  readonly quantity: Quantity;
  /** Where it reads from, for technicians. */
  describe(): string;
  /** One reading; never throws: failures come back as a rejected reading. */
  read(): Promise<ParsedValue>;
}

export interface Backlight {
  describe(): string;
  /** The brightness in percent (0..100) last written, null before the first write. */
  readonly percent: number | null;
  /** Writes the brightness; throws with a message a technician can act on. */
  set(percent: number): Promise<void>;
}
