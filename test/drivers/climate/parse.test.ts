/** The sensor files' formats and the plausibility rules: every kind of nonsense has its reason. */
import { describe, expect, it } from 'vitest';
import { parseLux, parseMilli, parseW1Slave, readFailure } from '../../../drivers/climate/parse.js';
import { prng } from '../../helpers/prng.js';

describe('millidegree and milli-percent files', () => {
  it('reads temperatures, negative ones too', () => {
    expect(parseMilli('23125\n', 'temperature')).toEqual({ ok: true, value: 23.125 });
    expect(parseMilli('-10062\n', 'temperature')).toEqual({ ok: true, value: -10.062 });
    expect(parseMilli('0', 'temperature')).toEqual({ ok: true, value: 0 });
    expect(parseMilli('125000', 'temperature')).toEqual({ ok: true, value: 125 });
    expect(parseMilli('-55000', 'temperature')).toEqual({ ok: true, value: -55 });
  });

  it("refuses the DS18B20's 85 °C power-on value and -127 °C, naming them", () => {
    expect(parseMilli('85000\n', 'temperature')).toMatchObject({ ok: false, reason: 'power_on_value', detail: expect.stringContaining('power-on value') });
    expect(parseMilli('-127000\n', 'temperature')).toMatchObject({ ok: false, reason: 'disconnected', detail: expect.stringContaining('did not answer') });
    // 85.001 °C and 84.999 °C are measurements (in range).
    expect(parseMilli('85001', 'temperature')).toEqual({ ok: true, value: 85.001 });
    expect(parseMilli('84999', 'temperature')).toEqual({ ok: true, value: 84.999 });
  });

  it('refuses values outside the sensor range', () => {
    expect(parseMilli('125001', 'temperature')).toMatchObject({ ok: false, reason: 'out_of_range' });
    expect(parseMilli('-55001', 'temperature')).toMatchObject({ ok: false, reason: 'out_of_range' });
    expect(parseMilli('100000', 'humidity')).toEqual({ ok: true, value: 100 });
    expect(parseMilli('100001', 'humidity')).toMatchObject({ ok: false, reason: 'out_of_range', detail: '100.001 is outside 0..100' });
    expect(parseMilli('-1', 'humidity')).toMatchObject({ ok: false, reason: 'out_of_range' });
    // 85 % humidity is no DS18B20 power-on value.
    expect(parseMilli('85000', 'humidity')).toEqual({ ok: true, value: 85 });
  });

  it('refuses text that is not a whole number, showing it bounded and printable', () => {
    for (const t of ['', '\n', 'abc', '23.5', '1e5', '0x10', ' 12 34', '9999999999', '\u0000\u0001']) {
      expect(parseMilli(t, 'temperature'), JSON.stringify(t)).toMatchObject({ ok: false, reason: 'unparsable' });
    }
    const r = parseMilli(`${'x'.repeat(500)}\n`, 'temperature');
    expect(r.ok === false && r.detail.length).toBeLessThan(120);
    expect(parseMilli('\u001b[2Jboom', 'temperature')).toMatchObject({ detail: expect.not.stringContaining('\u001b') });
  });

  it('never throws and never accepts a value outside the range, whatever the bytes', () => {
    const rnd = prng(11);
    for (let i = 0; i < 5000; i++) {
      const text = Buffer.from(rnd.bytes(rnd.int(16))).toString('latin1');
      for (const q of ['temperature', 'humidity'] as const) {
        const r = parseMilli(text, q);
        if (r.ok) {
          expect(r.value).toBeGreaterThanOrEqual(q === 'temperature' ? -55 : 0);
          expect(r.value).toBeLessThanOrEqual(q === 'temperature' ? 125 : 100);
        }
      }
      const w = parseW1Slave(text);
      if (w.ok) expect(Math.abs(w.value)).toBeLessThanOrEqual(125);
      const l = parseLux(text);
      if (l.ok) expect(l.value).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('the w1_slave format', () => {
  const good = '72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n';

  it('reads t= when the CRC is good', () => {
    expect(parseW1Slave(good)).toEqual({ ok: true, value: 23.125 });
  });

  it('refuses a failed CRC, the power-on value and a bad format', () => {
    expect(parseW1Slave(good.replace('YES', 'NO'))).toMatchObject({ ok: false, reason: 'crc_error' });
    expect(parseW1Slave('50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n')).toMatchObject({ ok: false, reason: 'power_on_value' });
    expect(parseW1Slave('00 00 00 00 00 00 00 00 00 : crc=00 YES\n00 00 00 00 00 00 00 00 00 t=-127000\n')).toMatchObject({ ok: false, reason: 'disconnected' });
    expect(parseW1Slave('garbage')).toMatchObject({ ok: false, reason: 'unparsable' });
    expect(parseW1Slave(good.split('\n')[0]!)).toMatchObject({ ok: false, reason: 'unparsable' });
  });
});

describe('illuminance', () => {
  it('reads lux with or without decimals and refuses the rest', () => {
    expect(parseLux('123.45\n')).toEqual({ ok: true, value: 123.45 });
    expect(parseLux('0\n')).toEqual({ ok: true, value: 0 });
    expect(parseLux('-3')).toMatchObject({ ok: false, reason: 'unparsable' });
    expect(parseLux('999999')).toMatchObject({ ok: false, reason: 'out_of_range' });
  });
});

describe('read failures', () => {
  it('tells a vanished file from a failed read', () => {
    expect(readFailure(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }))).toMatchObject({ ok: false, reason: 'missing' });
    expect(readFailure(Object.assign(new Error('ENODEV'), { code: 'ENODEV' }))).toMatchObject({ ok: false, reason: 'missing' });
    expect(readFailure(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }))).toMatchObject({ ok: false, reason: 'read_error', detail: 'EIO: i/o error, read' });
  });
});
