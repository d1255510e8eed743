/** The simulated climate: the heater warms, the fan cools towards the outside, the cabinet follows the outside; injected nonsense takes the real parsers. */
import { describe, expect, it } from 'vitest';
import { SimClimate } from '../../../drivers/climate/sim.js';

function climate(over: Partial<ConstructorParameters<typeof SimClimate>[0]> = {}) {
  let t = 0;
  const outputs = { heater: false, fan: false };
  const sim = new SimClimate({ ambientC: 0, heaterCPerMin: 1, fanCPerMin: 1, leakPerMin: 0, humidityPercent: 50, lux: 100, heaterOn: () => outputs.heater, fanOn: () => outputs.fan, now: () => t, ...over });
  return { sim, outputs, advance: (ms: number) => (t += ms) };
}

describe('the simulated climate', () => {
  it('warms with the heater and cools with the fan, never below the outside', async () => {
    const { sim, outputs, advance } = climate({ ambientC: 10 });
    outputs.heater = true;
    advance(10 * 60_000);
    expect(sim.temperatureC).toBeCloseTo(20, 5);
    outputs.heater = false;
    outputs.fan = true;
    advance(5 * 60_000);
    expect(sim.temperatureC).toBeCloseTo(15, 5);
    advance(60 * 60_000);
    expect(sim.temperatureC).toBeCloseTo(10, 5);
  });

  it('drifts towards the outside', () => {
    const { sim, advance } = climate({ ambientC: 20, startC: 0, leakPerMin: 0.1 });
    advance(60 * 60_000);
    expect(sim.temperatureC).toBeGreaterThan(19.9);
    sim.setAmbient(-20);
    advance(60 * 60_000);
    expect(sim.temperatureC).toBeLessThan(-19.9);
  });

  it('reads through the parsers, with injected nonsense and a lost sensor', async () => {
    const { sim } = climate({ ambientC: 21.5 });
    const s = sim.sensor('top', 'temperature');
    expect(await s.read()).toEqual({ ok: true, value: 21.5 });
    sim.inject('85000\n', 2);
    expect(await s.read()).toMatchObject({ ok: false, reason: 'power_on_value' });
    expect(await s.read()).toMatchObject({ ok: false, reason: 'power_on_value' });
    expect(await s.read()).toEqual({ ok: true, value: 21.5 });
    sim.setTemperature(130);
    expect(await s.read()).toMatchObject({ ok: false, reason: 'out_of_range' });
    sim.setLost(true);
    expect(await s.read()).toMatchObject({ ok: false, reason: 'missing' });
    sim.setLost(false);
    expect(await sim.sensor('h', 'humidity').read()).toEqual({ ok: true, value: 50 });
    expect(await sim.sensor('l', 'illuminance').read()).toEqual({ ok: true, value: 100 });
  });
});
