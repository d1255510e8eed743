/**
 * `climate.status` (lockerctl climate): the cabinet's readings, rejected readings with their
 * reasons, heater and fan, alarms, brightness. `sim.climate` (lockerctl sim climate): a
 * technician drives the simulated climate, then the unit polls at once so the answer shows the
 * effect.
 */
import type { ClimateUnit } from '../../cabinet/climate.js';
import type { Ledger } from '../../ledger/ledger.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';

const MAX_READING = 64;

function requireClimate(climate: ClimateUnit | undefined): ClimateUnit {
  if (!climate?.enabled) throw new CommandError('the cabinet climate watch is off: set cabinet.enabled to true in the config (docs/cabinet.md)', 'unavailable');
  return climate;
}

function celsiusArg(args: Record<string, unknown>, name: string): number | undefined {
  const v = args[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < -100 || v > 200) throw new CommandError(`"${name}" must be a temperature in °C from -100 to 200`, 'usage');
  return v;
}

export function climateCommands(ctx: { ledger: Ledger; climate: ClimateUnit | undefined; now: () => number }): Map<string, CommandHandler> {
  const handlers = new Map<string, CommandHandler>();

  handlers.set('climate.status', async () => {
    const climate = ctx.climate;
    if (!climate?.enabled) return { enabled: false };
    return climate.status();
  });

  handlers.set('sim.climate', async (args, { actor }) => {
    const climate = requireClimate(ctx.climate);
    const sim = climate.sim;
    if (!sim) throw new CommandError('this cabinet has no simulated climate: "sim climate" needs a cabinet.sensors entry of kind "sim" (a demo or test locker)', 'unavailable');
    const temp = celsiusArg(args, 'temp');
    const ambient = celsiusArg(args, 'ambient');
    let reading: string | undefined;
    if (args.reading !== undefined) {
      if (typeof args.reading !== 'string' || args.reading.length === 0 || args.reading.length > MAX_READING) throw new CommandError(`"reading" must be 1 to ${MAX_READING} characters: °C (85, -127) or the raw text the sensor file should hold`, 'usage');
      reading = args.reading;
    }
    const polls = args.polls === undefined ? 1 : args.polls;
    if (typeof polls !== 'number' || !Number.isInteger(polls) || polls < 1 || polls > 1000) throw new CommandError('"polls" must be a whole number from 1 to 1000', 'usage');
    const lost = args.sensorLost;
    if (lost !== undefined && typeof lost !== 'boolean') throw new CommandError('"sensorLost" must be true or false', 'usage');
    if (temp === undefined && ambient === undefined && reading === undefined && lost === undefined) {
      throw new CommandError('nothing to simulate: give temp, ambient, reading or sensorLost', 'usage');
    }
    if (ambient !== undefined) sim.setAmbient(ambient);
    if (temp !== undefined) {
      // The cabinet is at `temp` now, and so is the outside unless told otherwise: it stays there.
      if (ambient === undefined) sim.setAmbient(temp);
      sim.setTemperature(temp);
    }
    if (reading !== undefined) {
      // A number is °C, written as the kernel's file would hold it (millidegrees); anything else goes as it is.
      const n = Number(reading);
      sim.inject(/^-?\d+(\.\d+)?$/.test(reading.trim()) ? `${Math.round(n * 1000)}\n` : reading, polls);
    }
    if (lost !== undefined) sim.setLost(lost);
    ctx.ledger.transaction(() =>
      ctx.ledger.audit.record({ at: ctx.now(), actor, action: 'sim.climate_set', detail: { ...(temp !== undefined ? { temp } : {}), ...(ambient !== undefined ? { ambient } : {}), ...(reading !== undefined ? { reading, polls } : {}), ...(lost !== undefined ? { sensorLost: lost } : {}) } }),
    );
    // As many polls as readings were injected, so the answer shows what they did.
    for (let i = 0; i < (reading !== undefined ? polls : 1); i++) await climate.poll();
    return climate.status();
  });

  return handlers;
}
