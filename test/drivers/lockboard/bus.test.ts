/**
 * The bus scheduler over @serialport/binding-mock: one transaction at a time, the quiet gap,
 * deadlines, echoes, bad checksums, stray bytes, and the port's life (open failures,
 * disconnects, capped backoff, low latency).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SerialBus, type SerialBusOptions } from '../../../drivers/lockboard/bus.js';
import * as cu16 from '../../../drivers/lockboard/kerong-cu16/codec.js';
import { LOW_LATENCY_FLAGS } from '../../../drivers/lockboard/serial.js';
import { MockWire, resetMockPorts, sleep, until } from './mock-port.js';

const buses: SerialBus[] = [];

function makeBus(wire: MockWire, over: Partial<SerialBusOptions> = {}): SerialBus {
  const bus = new SerialBus({
    id: 'test', path: wire.path, baudRate: 115200, loadBinding: async () => wire.binding, echo: false, lowLatency: true,
    replyTimeoutMs: 50, reconnectMinMs: 20, reconnectMaxMs: 160, ...over,
  });
  buses.push(bus);
  return bus;
}

afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.stop()));
  resetMockPorts();
});

const status = (board: number) => ({
  request: cu16.encodeStatusRequest(board),
  decoder: new cu16.Cu16Decoder(),
  accept: (f: cu16.Cu16Reply) => f.kind === 'status' && f.board === board,
  gapMs: 0,
});

/** A CU16 board at `board` that answers status requests after `delayMs`. */
function statusBoard(wire: MockWire, board: number, delayMs: number, latches: boolean[] = []): void {
  wire.respond({
    receive(bytes, reply) {
      if (bytes[1] === board << 4 && bytes[2] === cu16.CMD_STATUS) setTimeout(() => reply(cu16.encodeStatusReply(board, latches)), delayMs);
    },
  });
}

describe('SerialBus transactions', () => {
  it('runs one transaction at a time: a request goes out only after the previous reply', async () => {
    const wire = new MockWire();
    const replies: number[] = [];
    wire.respond({
      receive(bytes, reply) {
        setTimeout(() => {
          replies.push(performance.now());
          reply(cu16.encodeStatusReply(bytes[1]! >> 4, []));
        }, 8);
      },
    });
    const bus = makeBus(wire);
    await bus.start();
    const results = await Promise.all([0, 1, 2, 3].map((b) => bus.transact(status(b))));
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(results.map((r) => (r.reply as cu16.Cu16Status).board)).toEqual([0, 1, 2, 3]);
    expect(wire.writes).toHaveLength(4);
    for (let i = 1; i < 4; i++) expect(wire.writes[i]!.at).toBeGreaterThanOrEqual(replies[i - 1]!);
  });

  it('puts urgent transactions before queued background ones', async () => {
    const wire = new MockWire();
    statusBoard(wire, 0, 2);
    wire.respond({ receive: (bytes, reply) => setTimeout(() => reply(cu16.encodeStatusReply(bytes[1]! >> 4, [])), 2) });
    const bus = makeBus(wire);
    await bus.start();
    const order: number[] = [];
    const run = (b: number, urgent: boolean) => bus.transact({ ...status(b), urgent }).then(() => order.push(b));
    await Promise.all([run(1, false), run(2, false), run(3, false), run(9, true)]);
    // 1 was already on the wire when 9 arrived; 9 then overtakes 2 and 3.
    expect(order).toEqual([1, 9, 2, 3]);
  });

  it('keeps the line quiet for the gap before a request, and refuses to talk over endless noise', async () => {
    const wire = new MockWire();
    statusBoard(wire, 0, 1);
    const bus = makeBus(wire);
    await bus.start();
    const noiseAt = performance.now();
    wire.emit(Buffer.from([0x55, 0xaa]));
    const r = await bus.transact({ ...status(0), gapMs: 25 });
    expect(r.status).toBe('ok');
    expect(wire.writes[0]!.at - noiseAt).toBeGreaterThanOrEqual(25);

    const noise = setInterval(() => wire.emit(Buffer.from([0x00])), 2);
    try {
      const busy = await bus.transact({ ...status(0), gapMs: 10, timeoutMs: 40 });
      expect(busy.status).toBe('busy');
      expect(busy.writtenAt).toBeNull();
      expect(wire.writes).toHaveLength(1);
      expect(bus.counters.busy).toBe(1);
    } finally {
      clearInterval(noise);
    }
  });

  it('does not talk over bytes that arrived while the process was busy', async () => {
    // Just before the gap ends the process stalls (another program has the CPU); a byte arrives
    // meanwhile and is read only after the stall, behind the bus's own wake-up. On a loaded
    // machine the scheduler may run the bus before the stall begins; that attempt proves nothing
    // and is repeated.
    for (let attempt = 1; ; attempt++) {
      const wire = new MockWire();
      statusBoard(wire, 0, 1);
      const bus = makeBus(wire);
      await bus.start();
      const t0 = performance.now();
      wire.emit(Buffer.from([0x55]));
      let stallAt = 0;
      let noiseReadAt = 0;
      const stall = (): void => {
        if (performance.now() < t0 + 9.2) return void setImmediate(stall);
        stallAt = performance.now();
        setTimeout(() => {
          wire.emit(Buffer.from([0xaa]));
          noiseReadAt = performance.now();
        }, 0);
        while (performance.now() < stallAt + 20) { /* the stall */ }
      };
      setImmediate(stall);
      const r = await bus.transact({ ...status(0), gapMs: 10, timeoutMs: 200 });
      await bus.stop();
      expect(r.status).toBe('ok');
      const wroteAt = wire.writes[0]!.at;
      if (stallAt === 0 || stallAt > wroteAt) {
        expect(attempt, 'the stall never came before the request').toBeLessThan(10);
        continue;
      }
      expect(noiseReadAt, 'the byte that arrived during the stall was never read').toBeGreaterThan(0);
      expect(wroteAt - noiseReadAt).toBeGreaterThanOrEqual(10 - 0.5);
      return;
    }
  });

  it('times out at the configured deadline when nothing answers', async () => {
    const wire = new MockWire();
    const bus = makeBus(wire, { replyTimeoutMs: 40 });
    await bus.start();
    const t0 = performance.now();
    const r = await bus.transact(status(3));
    const took = performance.now() - t0;
    expect(r.status).toBe('timeout');
    expect(r.writtenAt).not.toBeNull();
    expect(took).toBeGreaterThanOrEqual(39);
    expect(took).toBeLessThan(200);
    const short = await bus.transact({ ...status(3), timeoutMs: 5 });
    expect(short.status).toBe('timeout');
    expect(bus.counters.timeouts).toBe(2);
  });

  it('drops the echo of its own request on an echoing adapter (an unlock ack would look identical)', async () => {
    const wire = new MockWire({ echo: true });
    // The board acknowledges unlocks with a frame identical to the request.
    wire.respond({ receive: (bytes, reply) => setTimeout(() => reply(Buffer.from(bytes)), 3) });
    const bus = makeBus(wire, { echo: true });
    await bus.start();
    const decoder = new cu16.Cu16Decoder();
    const unlock = cu16.encodeUnlock(0, 3);
    const r = await bus.transact({ request: unlock, decoder, accept: (f) => f.kind === 'unlock-ack', gapMs: 0 });
    expect(r.status).toBe('ok');
    expect(decoder.stats.echoes).toBe(1);
    expect(decoder.stats.frames).toBe(1);
  });

  it('never accepts a frame that fails its checksum; counts it and takes the good one after', async () => {
    const wire = new MockWire();
    const good = cu16.encodeStatusReply(0, [true]);
    const bad = Buffer.from(good);
    bad[8] = bad[8]! ^ 0x01;
    let mode: 'bad' | 'bad-then-good' = 'bad';
    wire.respond({ receive: (_b, reply) => setTimeout(() => reply(mode === 'bad' ? bad : Buffer.concat([bad, good])), 1) });
    const bus = makeBus(wire);
    await bus.start();
    const tx = status(0);
    const r1 = await bus.transact(tx);
    expect(r1.status).toBe('timeout');
    expect(tx.decoder.stats.checksumErrors).toBe(1);
    mode = 'bad-then-good';
    const r2 = await bus.transact(tx);
    expect(r2.status).toBe('ok');
    expect((r2.reply as cu16.Cu16Status).raw).toEqual(good);
    expect(tx.decoder.stats.checksumErrors).toBe(2);
  });

  it('ignores a valid frame from another board (a late reply) and waits for its own', async () => {
    const wire = new MockWire();
    wire.respond({
      receive: (_b, reply) => {
        setTimeout(() => reply(cu16.encodeStatusReply(5, [])), 1);
        setTimeout(() => reply(cu16.encodeStatusReply(2, [])), 6);
      },
    });
    const bus = makeBus(wire);
    await bus.start();
    const r = await bus.transact(status(2));
    expect(r.status).toBe('ok');
    expect((r.reply as cu16.Cu16Status).board).toBe(2);
    expect(r.mismatched).toBe(1);
  });

  it('counts bytes that arrive between transactions and keeps them out of the next reply', async () => {
    const wire = new MockWire();
    statusBoard(wire, 1, 2, [false, true]);
    const bus = makeBus(wire);
    await bus.start();
    // A whole valid-looking status frame arriving unasked must not answer the next request.
    wire.emit(cu16.encodeStatusReply(1, [true, true, true]));
    await until(() => bus.counters.strayBytes === 9);
    const r = await bus.transact(status(1));
    expect(r.status).toBe('ok');
    expect((r.reply as cu16.Cu16Status).latches.slice(0, 3)).toEqual([false, true, false]);
  });
});

describe('SerialBus port life', () => {
  it('loads the binding only when started', async () => {
    const wire = new MockWire();
    let loads = 0;
    const bus = makeBus(wire, { loadBinding: async () => (loads++, wire.binding) });
    expect(loads).toBe(0);
    await bus.start();
    expect(loads).toBe(1);
    expect(bus.isUp).toBe(true);
  });

  it('asks for low latency without dropping DTR/RTS, and opens anyway where the driver refuses', async () => {
    const wire = new MockWire();
    wire.setFails = true;
    const bus = makeBus(wire);
    await bus.start();
    expect(bus.isUp).toBe(true);
    expect(wire.setCalls).toEqual([LOW_LATENCY_FLAGS]);
    expect(LOW_LATENCY_FLAGS).toMatchObject({ lowLatency: true, dtr: true, rts: true });
    const off = new MockWire();
    const bus2 = makeBus(off, { lowLatency: false });
    await bus2.start();
    expect(off.setCalls).toEqual([]);
  });

  it('retries a port that does not exist with capped exponential backoff, and opens it once it appears', async () => {
    const wire = new MockWire({ exists: false });
    const bus = makeBus(wire, { reconnectMinMs: 20, reconnectMaxMs: 80 });
    await bus.start();
    expect(bus.isUp).toBe(false);
    expect(bus.lastError).toMatch(/cannot open .*No such file or directory/);
    expect((await bus.transact(status(0))).status).toBe('down');
    await until(() => wire.openAttempts.length >= 6, 3000);
    const gaps = wire.openAttempts.slice(1, 6).map((t, i) => t - wire.openAttempts[i]!);
    // 20, 40, 80, 80, 80 ms (timers are never early; allow scheduling slack above).
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(79);
    expect(gaps[3]).toBeGreaterThanOrEqual(79);
    expect(gaps[3]).toBeLessThan(160);
    expect(gaps[4]).toBeLessThan(160);
    wire.plug();
    statusBoard(wire, 0, 1);
    expect(await until(() => bus.isUp, 1000)).toBe(true);
    expect((await bus.transact(status(0))).status).toBe('ok');
  });

  it('survives the adapter being pulled out mid-transaction and reopens it by itself', async () => {
    const wire = new MockWire();
    const downs: string[] = [];
    const bus = makeBus(wire);
    bus.on('down', (reason) => downs.push(reason));
    await bus.start();
    const pending = bus.transact(status(0)); // nobody answers
    const queued = bus.transact(status(1));
    await sleep(5);
    wire.unplug();
    expect((await pending).status).toBe('down');
    expect((await queued).status).toBe('down');
    expect(bus.isUp).toBe(false);
    expect(downs).toHaveLength(1);
    expect(downs[0]).toMatch(/disconnected/);
    await sleep(60);
    expect(bus.isUp).toBe(false);
    wire.plug();
    statusBoard(wire, 0, 1);
    expect(await until(() => bus.isUp, 1000)).toBe(true);
    expect((await bus.transact(status(0))).status).toBe('ok');
    expect(bus.counters.disconnects).toBe(1);
    expect(bus.counters.opens).toBe(2);
  });

  it('keeps retrying when the serial module itself cannot be loaded, without throwing', async () => {
    const wire = new MockWire();
    let fail = true;
    const bus = makeBus(wire, {
      loadBinding: async () => {
        if (fail) throw new Error('Cannot find module bindings.node');
        return wire.binding;
      },
    });
    await bus.start();
    expect(bus.isUp).toBe(false);
    expect(bus.lastError).toMatch(/cannot load the serial port module/);
    fail = false;
    expect(await until(() => bus.isUp, 1000)).toBe(true);
  });

  it('stops cleanly: waiting transactions end as stopped and the port is closed', async () => {
    const wire = new MockWire();
    const bus = makeBus(wire, { replyTimeoutMs: 1000 });
    await bus.start();
    const a = bus.transact(status(0));
    const b = bus.transact(status(1));
    await sleep(5);
    await bus.stop();
    expect((await a).status).toBe('stopped');
    expect((await b).status).toBe('stopped');
    expect(wire.isOpen).toBe(false);
    expect((await bus.transact(status(0))).status).toBe('stopped');
  });
});
