/**
 * Control handlers for the technician's input tools: live scanner and keypad tests (streamed,
 * see protocol.ts) and the list of input devices. The text lines a test streams are made in
 * ./input-lines.ts.
 *
 * While a test runs, the tested devices' input goes to the technician instead of the kiosk, so
 * a code typed or a pickup QR shown during a test opens nothing. The test ends when the client
 * goes away (Ctrl-C, SSH dropped) or after `minutes`. What was typed or scanned is sent to the
 * technician's terminal only: it is never logged, and the audit trail records only that a test
 * ran. Pickup and badge tokens are not shown even there.
 */
import type { InputDevice, InputHealth, RawInputChunk } from '../../../drivers/contracts.js';
import { hasInputDiagnostics } from '../../../drivers/io/device-base.js';
import type { LockerdConfig } from '../../config/types.js';
import type { SimHardware } from '../../hardware/index.js';
import type { InputRouter } from '../../hardware/inputs.js';
import type { Ledger } from '../../ledger/ledger.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';
import { eventStream } from '../stream.js';
import { healthLine, hex, scanEvent, scanLine } from './input-lines.js';

const DEFAULT_TEST_MINUTES = 10;

export interface InputControlContext {
  config: LockerdConfig;
  ledger: Ledger;
  router: InputRouter;
  /** The simulated keypad and scanner, known by identity (they have no diagnostics to say what they are). */
  sim: SimHardware;
  now: () => number;
}

function kindOf(device: InputDevice, sim: SimHardware): 'scanner' | 'keypad' | undefined {
  if (hasInputDiagnostics(device)) return device.health().kind;
  if (device === sim.scanner) return 'scanner';
  if (device === sim.keypad) return 'keypad';
  return undefined;
}

/** Each device's health; simulated devices have no diagnostics of their own. */
export function inputHealth(sim: SimHardware): (device: InputDevice) => InputHealth {
  return (device) => {
    if (hasInputDiagnostics(device)) return device.health();
    return { name: device.name, kind: kindOf(device, sim) ?? 'scanner', type: 'sim', online: true, detail: 'simulated (lockerctl sim scan|keys)', counters: {} };
  };
}

export function inputCommands(ctx: InputControlContext): Map<string, CommandHandler> {
  const handlers = new Map<string, CommandHandler>();
  const { router, ledger } = ctx;
  const healthOf = inputHealth(ctx.sim);
  const kind = (d: InputDevice) => kindOf(d, ctx.sim);

  const audit = (actor: string, action: string, detail: Record<string, unknown>) => {
    try {
      ledger.transaction(() => ledger.audit.record({ at: ctx.now(), actor, action, detail }));
    } catch {
      // The ledger may be closing with the daemon; a technician's test is not worth a crash.
    }
  };

  // `muted`: the router stopped listening to it for flooding the kiosk (flood.maxInputsPerSecond).
  handlers.set('inputs', () => router.devices.map((d) => ({ ...healthOf(d), muted: router.muted(d.name) })));

  handlers.set('input.test', (args, { signal, actor }) => {
    const wantedKind = args.kind;
    if (wantedKind !== 'scanner' && wantedKind !== 'keypad') throw new CommandError('"kind" must be "scanner" or "keypad"', 'usage');
    const raw = args.raw === true;
    const json = args.json === true;
    const minutes = args.minutes === undefined ? DEFAULT_TEST_MINUTES : args.minutes;
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 120) throw new CommandError('"minutes" must be a whole number from 1 to 120', 'usage');
    const wanted = args.device;
    if (wanted !== undefined && (typeof wanted !== 'string' || wanted.length > 64)) throw new CommandError('"device" must be a device name', 'usage');
    const devices = router.devices.filter((d) => kind(d) === wantedKind && (wanted === undefined || d.name === wanted));
    if (devices.length === 0) {
      const known = router.devices.filter((d) => kind(d) === wantedKind).map((d) => d.name);
      if (wanted !== undefined) throw new CommandError(`no ${wantedKind} named "${wanted}" (${wantedKind}s: ${known.join(', ')})`, 'not_found');
      throw new CommandError(`no ${wantedKind} is configured`, 'unavailable');
    }
    const names = devices.map((d) => d.name);
    const out = (text: string, data: Record<string, unknown>): unknown => (json ? data : text);

    return eventStream<unknown>(
      signal,
      (push, end) => {
        audit(actor, 'input.test_started', { kind: wantedKind, devices: names, raw });
        let count = 0;
        const release = router.divert(
          (d) => devices.includes(d),
          (input) => {
            count++;
            if (input.kind === 'scan') {
              const e = scanEvent(input, ctx.config.kiosk.maxScanLength);
              push(out(scanLine(e), e));
            } else {
              push(out(`[${input.source}] key ${input.key}`, { device: input.source, at: input.at.toISOString(), kind: 'key', key: input.key }));
            }
          },
        );
        const unsubscribeRaw = raw
          ? devices.flatMap((d) =>
              hasInputDiagnostics(d)
                ? [d.onRaw((c: RawInputChunk) => push(out(`[${c.source}] raw ${hex(c.bytes)}`, { device: c.source, at: c.at.toISOString(), kind: 'raw', hex: hex(c.bytes), bytes: c.bytes.length })))]
                : [],
            )
          : [];
        // Header: what is being watched, and the state of each device.
        const lines = devices.map((d) => healthOf(d));
        push(
          out(
            [
              `watching ${names.join(', ')}${raw ? ' (raw bytes too)' : ''} for up to ${minutes} min; press Ctrl-C to stop.`,
              `While this runs the kiosk ignores ${devices.length > 1 ? 'these devices' : 'this device'}.`,
              ...(raw && devices.some((d) => !hasInputDiagnostics(d)) ? ['(simulated devices have no raw bytes)'] : []),
              ...lines.map(healthLine),
            ].join('\n'),
            { kind: 'watching', devices: lines, raw, minutes },
          ),
        );
        // Online/offline changes (unplug, replug) as they happen.
        const last = new Map(lines.map((h) => [h.name, `${h.online}|${h.detail}`]));
        const poll = setInterval(() => {
          for (const d of devices) {
            const h = healthOf(d);
            const key = `${h.online}|${h.detail}`;
            if (last.get(h.name) !== key) {
              last.set(h.name, key);
              push(out(healthLine(h), { kind: 'health', device: h }));
            }
          }
        }, 1000);
        const deadline = setTimeout(end, minutes * 60_000);
        return () => {
          clearInterval(poll);
          clearTimeout(deadline);
          release();
          for (const u of unsubscribeRaw) u();
          audit(actor, 'input.test_ended', { kind: wantedKind, devices: names, inputs: count });
        };
      },
      { onDropped: (n) => out(`(${n} events dropped: the terminal did not keep up)`, { kind: 'dropped', events: n }) },
    );
  });

  return handlers;
}
