/**
 * The cabinet section read as the policy's settings, and what the schema cannot check: bands that
 * fit together, unique sensor ids, a light sensor that exists, GPIO lines not used twice.
 */
import type { LockerdConfig } from '../config/types.js';
import { policyProblems, type ClimatePolicySettings } from './climate-policy.js';

export function policySettings(c: LockerdConfig['cabinet']): ClimatePolicySettings {
  return {
    ...(c.heater ? { heater: { onBelowC: c.heater.onBelowC, offAboveC: c.heater.offAboveC, minOnMs: c.heater.minOnMs, minOffMs: c.heater.minOffMs } } : {}),
    ...(c.fan ? { fan: { onAboveC: c.fan.onAboveC, offBelowC: c.fan.offBelowC, minOnMs: c.fan.minOnMs, minOffMs: c.fan.minOffMs } } : {}),
    alarms: c.alarms,
    sensorLost: c.sensorLost,
  };
}

/** One sentence per problem; checked whether or not the cabinet is enabled, so a file stays right when it is switched on. */
export function cabinetConfigProblems(config: LockerdConfig): string[] {
  const c = config.cabinet;
  const problems = policyProblems(policySettings(c));
  const seen = new Map<string, number>();
  c.sensors.forEach((s, i) => {
    const first = seen.get(s.id);
    if (first !== undefined) problems.push(`cabinet.sensors[${i}].id: "${s.id}" is already used by cabinet.sensors[${first}]`);
    else seen.set(s.id, i);
    if (s.kind === 'ds18b20' && s.quantity !== 'temperature') problems.push(`cabinet.sensors[${i}]: a DS18B20 measures temperature only, not ${s.quantity}`);
    if (s.kind === 'hwmon' && s.quantity === 'illuminance' && !s.path) problems.push(`cabinet.sensors[${i}]: hwmon has no illuminance channel; use kind "iio" or give the file as "path"`);
  });
  if (c.sensorLost.afterMs <= c.pollMs) problems.push(`cabinet.sensorLost.afterMs (${c.sensorLost.afterMs}) must be longer than cabinet.pollMs (${c.pollMs}), or every sensor is lost between two polls`);
  if (c.telemetryMs < c.pollMs) problems.push(`cabinet.telemetryMs (${c.telemetryMs}) must not be shorter than cabinet.pollMs (${c.pollMs})`);
  const b = c.brightness;
  if (b.minPercent > b.maxPercent) problems.push(`cabinet.brightness.minPercent (${b.minPercent}) is above maxPercent (${b.maxPercent})`);
  if (b.mode === 'schedule' && b.schedule.length === 0) problems.push('cabinet.brightness.schedule: mode "schedule" needs at least one {from, percent} entry');
  if (b.mode === 'light') {
    if (!b.light) problems.push('cabinet.brightness.light: mode "light" needs light.sensor (a cabinet.sensors id with quantity "illuminance")');
    else {
      const s = c.sensors.find((x) => x.id === b.light!.sensor);
      if (!s) problems.push(`cabinet.brightness.light.sensor: "${b.light.sensor}" is not in cabinet.sensors (known: ${c.sensors.map((x) => x.id).join(', ') || 'none'})`);
      else if (s.quantity !== 'illuminance') problems.push(`cabinet.brightness.light.sensor: "${s.id}" measures ${s.quantity}, not illuminance`);
    }
  }
  if (c.heater && c.fan && c.heater.line === c.fan.line) problems.push(`cabinet.fan.line: ${c.fan.line} is also cabinet.heater.line; each needs its own GPIO line`);
  const g = config.gpio;
  const taken = new Map<number, string>();
  const take = (line: number | undefined, name: string) => line !== undefined && !taken.has(line) && taken.set(line, name);
  take(g.tamper?.line, 'gpio.tamper');
  take(g.powerFail?.line, 'gpio.powerFail');
  take(g.buzzer?.line, 'gpio.buzzer');
  take(g.lights?.ok?.line, 'gpio.lights.ok');
  take(g.lights?.error?.line, 'gpio.lights.error');
  take(g.lights?.busy?.line, 'gpio.lights.busy');
  for (const [name, sw] of [['heater', c.heater], ['fan', c.fan]] as const) {
    if (sw && taken.has(sw.line)) problems.push(`cabinet.${name}.line: ${sw.line} is already ${taken.get(sw.line)}; each output needs its own GPIO line`);
  }
  return problems;
}
