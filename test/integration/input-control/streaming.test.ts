/**
 * The control socket's streaming extension, and the technician's input tests on top of it:
 * events arrive line by line, the final answer ends the stream, a client that goes away stops
 * the handler's iteration and its cleanup runs; the tested devices are diverted from the kiosk
 * only while the test runs; nothing secret is shown or audited.
 */
import { EventEmitter } from 'node:events';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskInput } from '../../../drivers/contracts.js';
import { KioskGpio } from '../../../drivers/gpio/kiosk-io.js';
import { SimGpio } from '../../../drivers/gpio/sim.js';
import { SILENT_LOG } from '../../../drivers/io/log.js';
import { SerialScanner } from '../../../drivers/scanner/serial-scanner.js';
import type { SerialPortLike } from '../../../drivers/io/serial-link.js';
import { SimInput } from '../../../drivers/sim/input.js';
import { formatPickupPayload, randomToken } from '../../../src/barcode/index.js';
import { request } from '../../../src/control/client.js';
import { inputCommands } from '../../../src/control/commands/input.js';
import { eventStream } from '../../../src/control/stream.js';
import { gpioCommands } from '../../../src/control/commands/gpio.js';
import { ControlServer, type CommandHandler } from '../../../src/control/server.js';
import { InputRouter } from '../../../src/hardware/inputs.js';
import { Ledger } from '../../../src/ledger/ledger.js';
import { captureLogger, tempDir, testConfig } from '../../helpers/fixtures.js';
import { waitFor } from '../../helpers/socat.js';

/** A serial port double: the test pushes bytes as the device would send them. */
function fakePort() {
  const port = Object.assign(new EventEmitter(), {
    isOpen: false,
    open(cb: (e: Error | null) => void) {
      port.isOpen = true;
      cb(null);
    },
    close(cb?: (e: Error | null) => void) {
      port.isOpen = false;
      cb?.(null);
    },
  });
  return port;
}

function rawLines(path: string, payload: string, until: (lines: string[]) => boolean): Promise<{ lines: string[]; close: () => void }> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let buf = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(payload));
    s.on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\n').filter(Boolean);
      if (until(lines)) resolve({ lines, close: () => s.destroy() });
    });
    s.on('error', reject);
  });
}

describe('streaming over the control socket', () => {
  let dir: string;
  let cleanup: () => void;
  let server: ControlServer;
  let path: string;
  let cleanups: string[];

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'ctl.sock');
    cleanups = [];
    const handlers = new Map<string, CommandHandler>([
      ['count', (args) => (async function* () {
        for (let i = 1; i <= Number(args.n); i++) yield { i };
        return { done: true };
      })()],
      ['forever', (_args, { signal }) => eventStream<number>(signal, (push) => {
        let i = 0;
        const t = setInterval(() => push(++i), 5);
        return () => {
          clearInterval(t);
          cleanups.push('forever');
        };
      })],
      ['plain', () => ({ ok: 1 })],
    ]);
    server = new ControlServer(path, handlers, captureLogger().log);
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
    cleanup();
  });

  it('sends one line per event, then the final result', async () => {
    const events: unknown[] = [];
    expect(await request(path, 'count', { n: 3 }, 5000, { onEvent: (e) => events.push(e) })).toEqual({ done: true });
    expect(events).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
    const { lines } = await rawLines(path, '{"id":7,"command":"count","args":{"n":2}}\n', (l) => l.length >= 3);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { id: 7, ok: true, event: { i: 1 } },
      { id: 7, ok: true, event: { i: 2 } },
      { id: 7, ok: true, result: { done: true } },
    ]);
    // Non-streaming commands answer as before.
    expect(await request(path, 'plain')).toEqual({ ok: 1 });
  });

  it('stops the iteration and runs its cleanup when the client goes away', async () => {
    const { lines, close } = await rawLines(path, '{"id":1,"command":"forever"}\n', (l) => l.length >= 3);
    expect(JSON.parse(lines[0]!)).toEqual({ id: 1, ok: true, event: 1 });
    expect(cleanups).toEqual([]);
    close();
    await waitFor(() => cleanups.length === 1, 2000, 'cleanup after disconnect');
    expect(await request(path, 'plain')).toEqual({ ok: 1 }); // still serving
  });

  it('ends every stream when the server stops', async () => {
    const events: unknown[] = [];
    const pending = request(path, 'forever', {}, 5000, { onEvent: (e) => events.push(e), stopOnInterrupt: false });
    await waitFor(() => events.length > 2, 2000, 'some events');
    await server.stop();
    expect(await pending).toMatchObject({ stopped: true });
    await waitFor(() => cleanups.length === 1, 2000, 'cleanup at server stop');
    await server.start();
  });

  it('bounds what one slow consumer can queue', async () => {
    const ac = new AbortController();
    let push!: (n: number) => void;
    const stream = eventStream<number | string>(ac.signal, (p) => ((push = p), () => undefined), { maxQueued: 100, onDropped: (n) => `dropped ${n}` });
    const it = stream[Symbol.asyncIterator]();
    for (let i = 0; i < 5000; i++) push(i);
    expect((await it.next()).value).toBe('dropped 4900');
    expect((await it.next()).value).toBe(4900);
    ac.abort();
    const rest: unknown[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    expect(rest).toHaveLength(99);
  });
});

describe('scanner and keypad tests over the control socket', () => {
  let dir: string;
  let cleanup: () => void;
  let server: ControlServer;
  let path: string;
  let ledger: Ledger;
  let delivered: KioskInput[];
  let simScanner: SimInput;
  let simKeypad: SimInput;
  let port: ReturnType<typeof fakePort>;
  let serial: SerialScanner;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'ctl.sock');
    const config = testConfig(dir);
    ledger = Ledger.open({ path: join(dir, 'l.db'), keyFile: join(dir, 'l.key') });
    simScanner = new SimInput('sim-scanner');
    simKeypad = new SimInput('sim-keypad');
    port = fakePort();
    serial = new SerialScanner({ name: 'scanner-1', path: '/dev/ttyACM0', baudRate: 9600, maxLength: 512, log: SILENT_LOG, factory: async () => port as unknown as SerialPortLike });
    await serial.start();
    delivered = [];
    const router = new InputRouter([simKeypad, simScanner, serial], (i) => delivered.push(i));
    const gpio = new KioskGpio({ backend: async () => new SimGpio(), config: {}, log: SILENT_LOG });
    server = new ControlServer(path, new Map([...inputCommands({ config, ledger, router, sim: { keypad: simKeypad, scanner: simScanner }, now: Date.now }), ...gpioCommands({ ledger, gpio, now: Date.now })]), captureLogger().log);
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
    await serial.stop();
    ledger.close();
    cleanup();
  });

  it('streams decoded scans and raw bytes, hides pickup tokens, diverts the scanners only meanwhile', async () => {
    const events: Record<string, unknown>[] = [];
    const { close } = await rawLines(path, '{"id":1,"command":"input.test","args":{"kind":"scanner","raw":true,"json":true}}\n', (l) => l.length >= 1);
    // Collect through a second, observable client instead (the first proves the header comes at once).
    close();
    await waitFor(() => ledger.audit.recent(10).some((a) => a.action === 'input.test_ended'), 2000, 'first test ended');

    const done = request(path, 'input.test', { kind: 'scanner', raw: true, json: true, minutes: 1 }, 5000, { onEvent: (e) => events.push(e as Record<string, unknown>), stopOnInterrupt: false });
    await waitFor(() => events.length === 1, 2000, 'header');
    expect(events[0]).toMatchObject({ kind: 'watching', raw: true });
    const token = randomToken();
    port.emit('data', Buffer.from(`${formatPickupPayload('demo-locker', token)}\r1Z879E930346834440\r`));
    simScanner.scan('TBA502887274000');
    simKeypad.press('5'); // not a scanner: still goes to the kiosk
    await waitFor(() => events.filter((e) => e.kind === 'scan').length === 3, 2000, 'three scans');
    const scans = events.filter((e) => e.kind === 'scan');
    expect(scans[0]).toMatchObject({ device: 'scanner-1', text: null, result: { kind: 'pickup', kioskId: 'demo-locker' } });
    expect(JSON.stringify(scans)).not.toContain(token);
    expect(scans[1]).toMatchObject({ device: 'scanner-1', text: '1Z879E930346834440', result: { kind: 'parcel', carrier: 'UPS', valid: true } });
    expect(scans[2]).toMatchObject({ device: 'sim-scanner', text: 'TBA502887274000' });
    expect(events.find((e) => e.kind === 'raw')).toMatchObject({ device: 'scanner-1', hex: expect.stringMatching(/^4c 4b 50 31 2f/) });
    expect(delivered.map((i) => (i.kind === 'key' ? i.key : i.text))).toEqual(['5']);

    // The technician's client goes away: the scanners go back to the kiosk.
    await server.stop();
    await done;
    await server.start();
    await waitFor(() => ledger.audit.recent(10).filter((a) => a.action === 'input.test_ended').length === 2, 2000, 'second test ended');
    simScanner.scan('AFTER12345');
    expect(delivered.map((i) => (i.kind === 'key' ? i.key : i.text))).toEqual(['5', 'AFTER12345']);
    const audit = ledger.audit.recent(10).filter((a) => a.action.startsWith('input.test'));
    expect(audit.map((a) => a.detail)).toContainEqual({ kind: 'scanner', devices: ['sim-scanner', 'scanner-1'], inputs: 3 });
    expect(JSON.stringify(audit)).not.toContain('1Z879E930346834440');
  });

  it('streams keys as text lines for a terminal and refuses bad arguments', async () => {
    const lines: unknown[] = [];
    const done = request(path, 'input.test', { kind: 'keypad', device: 'sim-keypad' }, 5000, { onEvent: (e) => lines.push(e), stopOnInterrupt: false });
    await waitFor(() => lines.length === 1, 2000, 'header');
    expect(lines[0]).toMatch(/^watching sim-keypad for up to 10 min; press Ctrl-C to stop\.\nWhile this runs the kiosk ignores this device\./);
    for (const k of ['1', '2', '#'] as const) simKeypad.press(k);
    await waitFor(() => lines.length === 4, 2000, 'keys');
    expect(lines.slice(1)).toEqual(['[sim-keypad] key 1', '[sim-keypad] key 2', '[sim-keypad] key #']);
    expect(delivered).toEqual([]);
    await server.stop();
    await done;
    await server.start();
    await expect(request(path, 'input.test', { kind: 'printer' })).rejects.toThrow('"kind" must be "scanner" or "keypad"');
    await expect(request(path, 'input.test', { kind: 'keypad', device: 'nope' })).rejects.toThrow('no keypad named "nope" (keypads: sim-keypad)');
    expect(await request(path, 'inputs')).toEqual([
      expect.objectContaining({ name: 'sim-keypad', type: 'sim' }),
      expect.objectContaining({ name: 'sim-scanner', type: 'sim' }),
      expect.objectContaining({ name: 'scanner-1', type: 'serial', online: true }),
    ]);
  });
});
