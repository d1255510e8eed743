/**
 * The sysfs sensors and backlight against fake trees in temp dirs, laid out as the kernel lays
 * them out: w1 devices, hwmon, IIO, class/backlight.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSensor, findDs18b20, findHwmon, findIio, formatOf, listDs18b20, SysfsBacklight } from '../../../drivers/climate/sysfs.js';
import { tempDir } from '../../helpers/fixtures.js';

let root: string;
let cleanup: () => void;

function put(path: string, text: string): string {
  const p = join(root, path);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

beforeEach(() => {
  ({ dir: root, cleanup } = tempDir('lockerd-climate-sysfs-'));
});
afterEach(() => cleanup());

describe('DS18B20 on the 1-Wire bus', () => {
  it('finds the first family-28 device and reads its temperature file', async () => {
    put('bus/w1/devices/w1_bus_master1/w1_master_slave_count', '2\n');
    put('bus/w1/devices/28-0000075c9a1d/temperature', '21500\n');
    put('bus/w1/devices/28-00000a1b2c3d/temperature', '19000\n');
    expect(await listDs18b20(root)).toEqual(['28-0000075c9a1d', '28-00000a1b2c3d']);
    const path = await findDs18b20(root);
    expect(path).toBe(join(root, 'bus/w1/devices/28-0000075c9a1d/temperature'));
    const second = await findDs18b20(root, '28-00000a1b2c3d');
    expect(await new FileSensor('s', 'temperature', second as string, formatOf(second as string)).read()).toEqual({ ok: true, value: 19 });
  });

  it('falls back to w1_slave on kernels without the temperature file', async () => {
    put('bus/w1/devices/28-0000075c9a1d/w1_slave', '72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n');
    const path = (await findDs18b20(root)) as string;
    expect(path.endsWith('w1_slave')).toBe(true);
    expect(await new FileSensor('s', 'temperature', path, formatOf(path)).read()).toEqual({ ok: true, value: 23.125 });
  });

  it('says why when there is none, or the id is wrong', async () => {
    expect(await findDs18b20(root)).toEqual({ error: expect.stringContaining('dtoverlay=w1-gpio') });
    put('bus/w1/devices/28-0000075c9a1d/temperature', '21500\n');
    expect(await findDs18b20(root, '28-ffffffffffff')).toEqual({ error: expect.stringContaining('is the device id right?') });
  });

  it('turns the power-on value, -127, garbage, an unplugged sensor and a read error into rejected readings', async () => {
    const path = put('bus/w1/devices/28-0000075c9a1d/temperature', '85000\n');
    const s = new FileSensor('s', 'temperature', path, 'milli');
    expect(await s.read()).toMatchObject({ ok: false, reason: 'power_on_value' });
    writeFileSync(path, '-127000\n');
    expect(await s.read()).toMatchObject({ ok: false, reason: 'disconnected' });
    writeFileSync(path, 'ÿÿÿÿ');
    expect(await s.read()).toMatchObject({ ok: false, reason: 'unparsable' });
    rmSync(join(root, 'bus/w1/devices/28-0000075c9a1d'), { recursive: true });
    expect(await s.read()).toMatchObject({ ok: false, reason: 'missing' });
    mkdirSync(path, { recursive: true }); // EISDIR: the read itself fails
    expect(await s.read()).toMatchObject({ ok: false, reason: 'read_error', detail: expect.stringContaining('EISDIR') });
  });
});

describe('hwmon and IIO', () => {
  it('skips the processor\'s own thermal zone and reads a humidity chip', async () => {
    put('class/hwmon/hwmon0/name', 'cpu_thermal\n');
    put('class/hwmon/hwmon0/temp1_input', '48000\n');
    put('class/hwmon/hwmon1/name', 'sht3x\n');
    put('class/hwmon/hwmon1/temp1_input', '7250\n');
    put('class/hwmon/hwmon1/humidity1_input', '81500\n');
    const t = (await findHwmon(root, 'temperature')) as string;
    expect(t).toBe(join(root, 'class/hwmon/hwmon1/temp1_input'));
    expect(await new FileSensor('t', 'temperature', t, formatOf(t)).read()).toEqual({ ok: true, value: 7.25 });
    const h = (await findHwmon(root, 'humidity', 'sht3x')) as string;
    expect(await new FileSensor('h', 'humidity', h, formatOf(h)).read()).toEqual({ ok: true, value: 81.5 });
    expect(await findHwmon(root, 'humidity', 'bme280')).toEqual({ error: expect.stringContaining('named "bme280"') });
  });

  it('reads IIO relative humidity (milli-percent) and illuminance (lux)', async () => {
    put('bus/iio/devices/iio:device0/name', 'hdc1080\n');
    put('bus/iio/devices/iio:device0/in_humidityrelative_input', '45250\n');
    put('bus/iio/devices/iio:device1/name', 'bh1750\n');
    put('bus/iio/devices/iio:device1/in_illuminance_input', '312.5\n');
    const h = (await findIio(root, 'humidity')) as string;
    expect(await new FileSensor('h', 'humidity', h, formatOf(h)).read()).toEqual({ ok: true, value: 45.25 });
    const l = (await findIio(root, 'illuminance', 'bh1750')) as string;
    expect(formatOf(l)).toBe('lux');
    expect(await new FileSensor('l', 'illuminance', l, formatOf(l)).read()).toEqual({ ok: true, value: 312.5 });
    writeFileSync(h, '100500\n');
    expect(await new FileSensor('h', 'humidity', h, 'milli').read()).toMatchObject({ ok: false, reason: 'out_of_range' });
  });
});

describe('the backlight', () => {
  it('writes a share of max_brightness, never 0 for a non-zero percent', async () => {
    put('class/backlight/10-0045/max_brightness', '255\n');
    const brightness = put('class/backlight/10-0045/brightness', '255\n');
    const b = await SysfsBacklight.find(root);
    if ('error' in b) throw new Error(b.error);
    expect(b.percent).toBeNull();
    await b.set(50);
    expect(readFileSync(brightness, 'utf8')).toBe('128\n');
    await b.set(0.1);
    expect(readFileSync(brightness, 'utf8')).toBe('1\n');
    await b.set(0);
    expect(readFileSync(brightness, 'utf8')).toBe('0\n');
    expect(b.percent).toBe(0);
  });

  it('refuses a broken max_brightness and says when there is no backlight', async () => {
    expect(await SysfsBacklight.find(root)).toEqual({ error: expect.stringContaining('no backlight under') });
    put('class/backlight/rpi_backlight/max_brightness', 'lots\n');
    put('class/backlight/rpi_backlight/brightness', '10\n');
    const b = (await SysfsBacklight.find(root)) as SysfsBacklight;
    await expect(b.set(50)).rejects.toThrow(/not a positive whole number/);
    expect(readFileSync(join(root, 'class/backlight/rpi_backlight/brightness'), 'utf8')).toBe('10\n');
  });
});
