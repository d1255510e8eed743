/**
 * Builds the cabinet's climate hardware from the config: the sensors (found by kind and device,
 * or every DS18B20 when none is listed), the heater and fan switches on the shared GPIO backend,
 * the backlight, and the simulated climate that `sim` sensors read.
 */
import { SimClimate } from '../../drivers/climate/sim.js';
import { FileSensor, findDs18b20, findHwmon, findIio, formatOf, listDs18b20, SimBacklight, SysfsBacklight } from '../../drivers/climate/sysfs.js';
import { GpioSwitch } from '../../drivers/climate/switch.js';
import type { Backlight, ClimateSensor, ParsedValue, Quantity } from '../../drivers/climate/types.js';
import type { GpioBackend } from '../../drivers/gpio/types.js';
import type { ClimateHardware } from '../cabinet/climate.js';
import type { CabinetConfig, CabinetSensorConfig } from '../config/types.js';

/**
 * A configured sensor whose file is found at its first read, and looked for again while it is
 * missing: a DS18B20 plugged in after the start is read from then on.
 */
class FoundSensor implements ClimateSensor {
  #file: FileSensor | undefined;
  #lastError = 'not looked for yet';

  constructor(
    readonly id: string,
    readonly quantity: Quantity,
    private readonly find: () => Promise<string | { error: string }>,
  ) {}

  describe(): string {
    return this.#file?.path ?? `not found: ${this.#lastError}`;
  }

  async read(): Promise<ParsedValue> {
    if (!this.#file) {
      const found = await this.find();
      if (typeof found !== 'string') {
        this.#lastError = found.error;
        return { ok: false, reason: 'missing', detail: found.error };
      }
      this.#file = new FileSensor(this.id, this.quantity, found, formatOf(found));
    }
    return this.#file.read();
  }
}

function fileSensor(c: CabinetSensorConfig, root: string): ClimateSensor {
  if (c.path) return new FileSensor(c.id, c.quantity, c.path, formatOf(c.path));
  switch (c.kind) {
    case 'ds18b20':
      return new FoundSensor(c.id, c.quantity, () => findDs18b20(root, c.device));
    case 'hwmon':
      return new FoundSensor(c.id, c.quantity, () => findHwmon(root, c.quantity, c.device));
    default:
      return new FoundSensor(c.id, c.quantity, () => findIio(root, c.quantity, c.device));
  }
}

export async function buildClimateHardware(c: CabinetConfig, gpio: () => Promise<GpioBackend>, now: () => number): Promise<ClimateHardware> {
  const hw: ClimateHardware = { sensors: [] };
  if (c.heater) hw.heater = new GpioSwitch('heater', c.heater.line, c.heater.activeLow, gpio);
  if (c.fan) hw.fan = new GpioSwitch('fan', c.fan.line, c.fan.activeLow, gpio);
  if (c.sensors.some((s) => s.kind === 'sim') || c.brightness.backlight === 'sim') {
    const s = c.simulation;
    hw.sim = new SimClimate({
      ambientC: s.ambientC, heaterCPerMin: s.heaterCPerMin, fanCPerMin: s.fanCPerMin, leakPerMin: s.leakPerMin,
      humidityPercent: s.humidityPercent, lux: s.lux, now,
      heaterOn: () => hw.heater?.on === true,
      fanOn: () => hw.fan?.on === true,
    });
  }
  const listed = c.sensors.length > 0 ? c.sensors : (await listDs18b20(c.sysfsRoot)).map((device): CabinetSensorConfig => ({ id: device, kind: 'ds18b20', quantity: 'temperature', device }));
  for (const s of listed) hw.sensors.push(s.kind === 'sim' ? hw.sim!.sensor(s.id, s.quantity) : fileSensor(s, c.sysfsRoot));
  if (c.brightness.mode !== 'off') {
    const b = c.brightness.backlight;
    if (b === 'sim') hw.backlight = new SimBacklight();
    else if (b === 'auto') {
      const found = await SysfsBacklight.find(c.sysfsRoot);
      if ('error' in found) hw.backlightError = found.error;
      else hw.backlight = found;
    } else hw.backlight = new SysfsBacklight(b);
  }
  return hw;
}
