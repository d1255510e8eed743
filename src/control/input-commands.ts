/**
 * Control handlers for the technician's input tools: live scanner and keypad tests (streamed,
 * see protocol.ts), the list of input devices, and the cabinet's GPIO lines.
 *
 * While a test runs, the tested devices' input goes to the technician instead of the kiosk, so
 * a code typed or a pickup QR shown during a test opens nothing. The test ends when the client
 * goes away (Ctrl-C, SSH dropped) or after `minutes`. What was typed or scanned is sent to the
 * technician's terminal only: it is never logged, and the audit trail records only that a test
 * ran. Pickup and badge tokens are not shown even there.
 */
import type { InputDevice, InputHealth, KioskInput, RawInputChunk } from '../../drivers/contracts.js';
import { hasInputDiagnostics } from '../../drivers/scanner/device-base.js';
import { SimGpio } from '../../drivers/gpio/sim.js';
import type { KioskGpio } from '../../drivers/gpio/kiosk-io.js';
import { describeScanForLog, parseScan, type ScanResult } from '../barcode/index.js';
import { containsCredentials } from '../secrets/redact.js';
import type { LockerdConfig } from '../config/types.js';
import type { InputRouter } from '../hardware/inputs.js';
import type { Ledger } from '../ledger/ledger.js';
import { CommandError } from './protocol.js';
import type { CommandHandler } from './server.js';

export interface InputControlContext {
  config: LockerdConfig;
  ledger: Ledger;
  router: InputRouter;
  gpio: KioskGpio;
}

/** Events queued for one slow client before the oldest are dropped. */
export const MAX_QUEUED_EVENTS = 1000;
const DEFAULT_TEST_MINUTES = 10;
const MAX_PULSE_MS = 5000;

/**
 * An AsyncIterable fed by callbacks: `setup` subscribes and returns its cleanup, which runs
 * exactly once, when the consumer stops (return), `signal` aborts or `end` is called. The queue
 * is bounded; on overflow the oldest events are dropped and counted.
 */
export function eventStream<T>(
  signal: AbortSignal,
  setup: (push: (event: T) => void, end: () => void) => () => void,
  options: { maxQueued?: number; onDropped?: (n: number) => T } = {},
): AsyncIterable<T> {
  const max = options.maxQueued ?? MAX_QUEUED_EVENTS;
  const queue: T[] = [];
  let dropped = 0;
  let waiting: ((r: IteratorResult<T>) => void) | undefined;
  let done = false;
  let cleanup: (() => void) | undefined;
  const finish = () => {
    if (done) return;
    done = true;
    signal.removeEventListener('abort', finish);
    try {
      cleanup?.();
    } catch {
      // Cleanup runs from an abort listener: a throw there would be an uncaught exception.
    }
    waiting?.({ done: true, value: undefined });
    waiting = undefined;
  };
  const push = (event: T) => {
    if (done) return;
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w({ done: false, value: event });
      return;
    }
    queue.push(event);
    if (queue.length > max) {
      queue.shift();
      dropped++;
    }
  };
  return {
    [Symbol.asyncIterator]() {
      if (!done && !cleanup) {
        if (signal.aborted) done = true;
        else {
          signal.addEventListener('abort', finish, { once: true });
          cleanup = setup(push, finish);
        }
      }
      return {
        next(): Promise<IteratorResult<T>> {
          if (dropped > 0 && options.onDropped) {
            const n = dropped;
            dropped = 0;
            return Promise.resolve({ done: false, value: options.onDropped(n) });
          }
          const next = queue.shift();
          if (next !== undefined) return Promise.resolve({ done: false, value: next });
          if (done) return Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve) => (waiting = resolve));
        },
        return(): Promise<IteratorResult<T>> {
          finish();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

/** Control characters shown as `<GS>`, `\xNN`; bounded for a terminal line. */
export function showText(text: string, max = 200): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out += c === 0x1d ? '<GS>' : c < 0x20 || (c >= 0x7f && c < 0xa0) ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
    if (out.length > max) return `${out.slice(0, max)}… (${text.length} characters)`;
  }
  return out;
}

function hex(bytes: Uint8Array, max = 256): string {
  const shown = [...bytes.subarray(0, max)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} … (${bytes.length} bytes)` : shown;
}

function kindOf(device: InputDevice): 'scanner' | 'keypad' | undefined {
  if (hasInputDiagnostics(device)) return device.health().kind;
  if (device.name === 'sim-scanner') return 'scanner';
  if (device.name === 'sim-keypad') return 'keypad';
  return undefined;
}

/** A device's health; simulated devices have no diagnostics of their own. */
export function healthOf(device: InputDevice): InputHealth {
  if (hasInputDiagnostics(device)) return device.health();
  return { name: device.name, kind: kindOf(device) ?? 'scanner', type: 'sim', online: true, detail: 'simulated (lockerctl sim scan|keys)', counters: {} };
}

/** What a scan test shows: the parse, and the text unless it carries a bearer token. */
function scanEvent(input: Extract<KioskInput, { kind: 'scan' }>, maxLength: number): Record<string, unknown> {
  const result: ScanResult = parseScan(input.text, { maxLength });
  // Locker codes carry bearer tokens, damaged ones too: the technician sees what it is, not the token.
  const secret = result.kind === 'pickup' || result.kind === 'badge' || containsCredentials(input.text);
  return {
    device: input.source,
    at: input.at.toISOString(),
    kind: 'scan',
    text: secret ? null : showText(input.text),
    ...(input.symbology !== undefined ? { symbology: input.symbology } : {}),
    result: describeScanForLog(result),
  };
}

function describeScan(e: Record<string, unknown>): string {
  const r = e.result as { kind: string; carrier?: string; tracking?: string; valid?: boolean; reason?: string; kioskId?: string };
  const what =
    r.kind === 'parcel' ? `parcel ${r.carrier ?? 'unknown'} ${r.tracking ?? ''} ${r.valid ? 'valid' : `NOT valid (${r.reason ?? 'check digit'})`}`
    : r.kind === 'pickup' ? `locker pickup code for kiosk ${r.kioskId ?? '?'} (token hidden)`
    : r.kind === 'badge' ? 'courier badge (token hidden)'
    : `${r.kind}${r.reason ? `: ${r.reason}` : ''}`;
  return `[${String(e.device)}] scan ${e.text === null ? '' : `"${String(e.text)}" `}${e.symbology ? `${String(e.symbology)} ` : ''}→ ${what}`;
}

function healthLine(h: InputHealth): string {
  const counters = Object.entries(h.counters).map(([k, v]) => `${k}=${v}`).join(' ');
  return `[${h.name}] ${h.type} ${h.kind}, ${h.online ? 'online' : 'OFFLINE'}: ${h.detail}${counters ? ` (${counters})` : ''}`;
}

export function inputCommands(ctx: InputControlContext): Map<string, CommandHandler> {
  const handlers = new Map<string, CommandHandler>();
  const { router, gpio, ledger } = ctx;

  const audit = (actor: string, action: string, detail: Record<string, unknown>) => {
    try {
      ledger.transaction(() => ledger.audit.record({ at: Date.now(), actor, action, detail }));
    } catch {
      // The ledger may be closing with the daemon; a technician's test is not worth a crash.
    }
  };

  // `muted`: the router stopped listening to it for flooding the kiosk (flood.maxInputsPerSecond).
  handlers.set('inputs', () => router.devices.map((d) => ({ ...healthOf(d), muted: router.muted(d.name) })));

  handlers.set('input.test', (args, { signal, actor }) => {
    const kind = args.kind;
    if (kind !== 'scanner' && kind !== 'keypad') throw new CommandError('"kind" must be "scanner" or "keypad"', 'usage');
    const raw = args.raw === true;
    const json = args.json === true;
    const minutes = args.minutes === undefined ? DEFAULT_TEST_MINUTES : args.minutes;
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 120) throw new CommandError('"minutes" must be a whole number from 1 to 120', 'usage');
    const wanted = args.device;
    if (wanted !== undefined && (typeof wanted !== 'string' || wanted.length > 64)) throw new CommandError('"device" must be a device name', 'usage');
    const devices = router.devices.filter((d) => kindOf(d) === kind && (wanted === undefined || d.name === wanted));
    if (devices.length === 0) {
      const known = router.devices.filter((d) => kindOf(d) === kind).map((d) => d.name);
      throw new CommandError(wanted !== undefined ? `no ${kind} named "${wanted}" (${kind}s: ${known.join(', ')})` : `no ${kind} is configured`);
    }
    const names = devices.map((d) => d.name);
    const out = (text: string, data: Record<string, unknown>): unknown => (json ? data : text);

    return eventStream<unknown>(
      signal,
      (push, end) => {
        audit(actor, 'input.test_started', { kind, devices: names, raw });
        let count = 0;
        const release = router.divert(
          (d) => devices.includes(d),
          (input) => {
            count++;
            if (input.kind === 'scan') {
              const e = scanEvent(input, ctx.config.kiosk.maxScanLength);
              push(out(describeScan(e), e));
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
          audit(actor, 'input.test_ended', { kind, devices: names, inputs: count });
        };
      },
      { onDropped: (n) => out(`(${n} events dropped: the terminal did not keep up)`, { kind: 'dropped', events: n }) },
    );
  });

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
      throw new CommandError(`no GPIO output named "${name}" (configured: ${gpio.outputNames().join(', ') || 'none; see gpio.buzzer and gpio.lights in the config'})`);
    }
    try {
      await gpio.pulse(name, ms);
    } catch (err) {
      throw new CommandError((err as Error).message);
    }
    audit(actor, 'gpio.pulsed', { output: name, ms });
    return { output: name, ms };
  });

  handlers.set('gpio.sim', async (args, { actor }) => {
    const name = args.name;
    const active = args.active;
    if (typeof name !== 'string' || typeof active !== 'boolean') throw new CommandError('usage: gpio.sim needs "name" (tamper or powerFail) and "active" (true or false)');
    const backend = gpio.backend;
    if (!(backend instanceof SimGpio)) throw new CommandError('"gpio sim" drives simulated lines only; this locker has gpio.backend other than "sim"');
    const cfg = gpio.inputLine(name);
    if (!cfg) throw new CommandError(`no GPIO input named "${name}" (configured: ${['tamper', 'powerFail'].filter((n) => gpio.inputLine(n)).join(', ') || 'none'})`);
    backend.setLevel(cfg.line, active !== cfg.activeLow);
    audit(actor, 'gpio.sim_set', { input: name, active });
    return { input: name, active, settlesAfterMs: cfg.debounceMs };
  });

  return handlers;
}
