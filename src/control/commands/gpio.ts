/** The cabinet's GPIO lines: their state, a pulse of an output (buzzer, lights), and setting a simulated input. */
import type { KioskGpio } from '../../../drivers/gpio/kiosk-io.js';
import { SimGpio } from '../../../drivers/gpio/sim.js';
import type { Ledger } from '../../ledger/ledger.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';

const MAX_PULSE_MS = 5000;

export function gpioCommands(ctx: { ledger: Ledger; gpio: KioskGpio; now: () => number }): Map<string, CommandHandler> {
  const handlers = new Map<string, CommandHandler>();
  const { gpio, ledger } = ctx;
  const audit = (actor: string, action: string, detail: Record<string, unknown>): void => {
    ledger.transaction(() => ledger.audit.record({ at: ctx.now(), actor, action, detail }));
  };

  handlers.set('gpio.status', async () => {
    const state = await gpio.lines();
    return { configured: gpio.configured, ...state, signals: gpio.state() };
  });

  handlers.set('gpio.pulse', async (args, { actor }) => {
    const name = args.name;
    if (typeof name !== 'string' || name.length === 0 || name.length > 32) throw new CommandError('missing argument "name" (an output: buzzer, lights.ok, lights.error, lights.busy)', 'usage');
    const ms = args.ms === undefined ? 200 : args.ms;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > MAX_PULSE_MS) throw new CommandError(`"ms" must be a whole number from 1 to ${MAX_PULSE_MS}`, 'usage');
    if (!gpio.outputNames().includes(name as never)) {
      throw new CommandError(`no GPIO output named "${name}" (configured: ${gpio.outputNames().join(', ') || 'none; see gpio.buzzer and gpio.lights in the config'})`, 'not_found');
    }
    try {
      await gpio.pulse(name, ms);
    } catch (err) {
      // The line is there but could not be driven (chip busy, unplugged).
      throw new CommandError((err as Error).message, 'unavailable');
    }
    audit(actor, 'gpio.pulsed', { output: name, ms });
    return { output: name, ms };
  });

  handlers.set('gpio.sim', async (args, { actor }) => {
    const name = args.name;
    const active = args.active;
    if (typeof name !== 'string' || typeof active !== 'boolean') throw new CommandError('usage: gpio.sim needs "name" (tamper or powerFail) and "active" (true or false)', 'usage');
    const backend = gpio.backend;
    if (!(backend instanceof SimGpio)) throw new CommandError('"gpio sim" drives simulated lines only; this locker has gpio.backend other than "sim"', 'unavailable');
    const cfg = gpio.inputLine(name);
    if (!cfg) throw new CommandError(`no GPIO input named "${name}" (configured: ${['tamper', 'powerFail'].filter((n) => gpio.inputLine(n)).join(', ') || 'none'})`, 'not_found');
    backend.setLevel(cfg.line, active !== cfg.activeLow);
    audit(actor, 'gpio.sim_set', { input: name, active });
    return { input: name, active, settlesAfterMs: cfg.debounceMs };
  });

  return handlers;
}
