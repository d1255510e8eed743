/**
 * RS-485 buses in the configuration: the schema's limits match the drivers, the shipped examples
 * load with the real loader, the cross-checks catch what a technician gets wrong, and the
 * serial module is loaded only for a configured RS-485 bus, only when it opens.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockBoardController } from '../../../drivers/lockboard/door-controller.js';
import { FAMILIES, PROTOCOLS } from '../../../drivers/lockboard/families.js';
import { SimLockBoards } from '../../../drivers/sim/lock-boards.js';
import { ConfigError, loadConfig, parseConfig } from '../../../src/config/load.js';
import { MAX_BOARD_ADDRESS, MAX_LOCKS_PER_BOARD } from '../../../src/config/schema.js';
import type { Rs485BusConfig } from '../../../src/config/types.js';
import { boardSpecs, buildDoors } from '../../../src/hardware/doors.js';
import { captureLogger, ROOT } from '../../helpers/fixtures.js';

const example = (name: string) => join(ROOT, 'config', 'examples', `${name}.json`);

function withBus(bus: Record<string, unknown>, compartments = [{ id: 'A01', size: 'S', board: 'B1', lock: 1 }]): string {
  return JSON.stringify({
    kioskId: 'k', buses: [bus], compartments, units: [{ id: '101' }], couriers: [{ id: 'c', carrier: 'UPS', pin: '402917' }],
  });
}

function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.json');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const bus = (over: Record<string, unknown> = {}, boards: Record<string, unknown>[] = [{ id: 'B1', address: 0, locks: 16 }]) => ({
  id: 'rs485', type: 'rs485', path: '/dev/serial/by-id/usb-x', protocol: 'kerong-cu16', baudRate: 19200, boards, ...over,
});

describe('RS-485 bus configuration', () => {
  it('takes every family of the registry, with its own addresses and lock counts, and refuses one past them', () => {
    for (const p of PROTOCOLS) {
      const { addressMin, addressMax, maxLocks } = FAMILIES[p];
      const at = (address: number, locks: number) => problems(withBus(bus({ protocol: p, baudRate: 9600 }, [{ id: 'B1', address, locks }])));
      expect(at(addressMin, maxLocks), p).toEqual([]);
      expect(at(addressMax, 1), p).toEqual([]);
      const over = at(addressMax + 1, maxLocks + 1);
      // Past the schema's own bounds (the largest family's) the schema says it; below them, the cross-check names the family.
      expect(over.find((l) => l.startsWith('buses[0].boards[0].address: ')), p).toEqual(addressMax < MAX_BOARD_ADDRESS
        ? `buses[0].boards[0].address: ${addressMax + 1} is not a ${p} address (${addressMin} to ${addressMax})`
        : expect.stringContaining(`${addressMax + 1}`));
      expect(over.find((l) => l.startsWith('buses[0].boards[0].locks: ')), p).toEqual(maxLocks < MAX_LOCKS_PER_BOARD
        ? `buses[0].boards[0].locks: ${maxLocks + 1} is more than a ${p} board drives (at most ${maxLocks})`
        : expect.stringContaining(`${maxLocks + 1}`));
    }
  });

  for (const name of ['kerong-cu16', 'clone-8a', 'modbus-rtu']) {
    it(`config/examples/${name}.json loads with the real loader and describes an rs485 bus of that family`, () => {
      const config = loadConfig(example(name));
      const b = config.buses[0] as Rs485BusConfig;
      expect(b).toMatchObject({ type: 'rs485', protocol: name, echo: false, lowLatency: true, replyTimeoutMs: 100, pollIntervalMs: 100, offlineAfterMisses: 3, unlockAttempts: 2 });
      expect(b.path).toMatch(/^\/dev\/serial\/by-id\//);
      for (const spec of boardSpecs(b)) {
        expect(spec.protocol).toBe(name);
        expect(spec.locks).toBeLessThanOrEqual(FAMILIES[spec.protocol].maxLocks);
      }
    });
  }

  it('fills in defaults: polarity, pulse, power group = the board itself, Modbus board-timed pulse on inputs', () => {
    const config = parseConfig(withBus(bus({}, [{ id: 'B1', address: 0, locks: 16 }])), 't.json');
    const [spec] = boardSpecs(config.buses[0] as Rs485BusConfig);
    expect(spec).toEqual({
      id: 'B1', protocol: 'kerong-cu16', address: 0, locks: 16, polarity: 'one-is-closed', pulseMs: 500, powerGroup: 'board:B1',
      sensors: false, modbus: { feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'board' },
    });
  });

  it('refuses addresses and lock counts the family does not have, and duplicate addresses', () => {
    expect(problems(withBus(bus({}, [{ id: 'B1', address: 16, locks: 17 }])))).toEqual([
      'buses[0].boards[0].address: 16 is not a kerong-cu16 address (0 to 15)',
      'buses[0].boards[0].locks: 17 is more than a kerong-cu16 board drives (at most 16)',
    ]);
    expect(problems(withBus(bus({ protocol: 'clone-8a', baudRate: 9600 }, [{ id: 'B1', address: 0, locks: 30 }])))).toEqual([
      'buses[0].boards[0].address: 0 is not a clone-8a address (1 to 32)',
      'buses[0].boards[0].locks: 30 is more than a clone-8a board drives (at most 24)',
    ]);
    expect(problems(withBus(bus({}, [{ id: 'B1', address: 3, locks: 16 }, { id: 'B2', address: 3, locks: 16 }])))).toEqual([
      'buses[0].boards[1].address: kerong-cu16 address 3 is already used by buses[0].boards[0]; every board on a bus needs its own address',
    ]);
    // The same number on another protocol of the same bus is another board.
    expect(problems(withBus(bus({}, [{ id: 'B1', address: 3, locks: 16 }, { id: 'B2', address: 3, locks: 8, protocol: 'modbus-rtu' }])))).toEqual([]);
  });

  it('refuses sensors on a family without them, Modbus channels beyond the pulse range, and backoff limits upside down', () => {
    const text = withBus(bus({ protocol: 'modbus-rtu', baudRate: 9600, reconnectMinMs: 5000, reconnectMaxMs: 1000 }, [
      { id: 'B1', address: 1, locks: 8, sensors: true, modbus: { relayStart: 250 } },
    ]));
    expect(problems(text)).toEqual([
      'buses[0].reconnectMaxMs: 1000 is below buses[0].reconnectMinMs (5000); the longest wait cannot be shorter than the first',
      'buses[0].boards[0].sensors: only kerong-cu16 boards report item-present sensors',
      'buses[0].boards[0].modbus.relayStart: relays 250 to 257 go beyond channel 255, the last a board-timed pulse can address',
    ]);
  });

  it('refuses two buses on one serial port, and a path that is not absolute', () => {
    const text = JSON.stringify({
      kioskId: 'k',
      buses: [bus(), bus({ id: 'second' }, [{ id: 'B2', address: 1, locks: 16 }]), bus({ id: 'third', path: 'ttyUSB0' }, [{ id: 'B3', address: 2, locks: 4 }])],
      compartments: [{ id: 'A01', size: 'S', board: 'B1', lock: 1 }], units: [], couriers: [],
    });
    expect(problems(text)).toEqual(['buses[2].path: "ttyUSB0" is not valid: expected the serial device: an absolute path of at most 4096 characters, best a stable /dev/serial/by-id/... link']);
    const two = JSON.stringify({ ...JSON.parse(text), buses: JSON.parse(text).buses.slice(0, 2) });
    expect(problems(two)).toEqual(['buses[1].path: "/dev/serial/by-id/usb-x" is already used by buses[0]; one serial port is one bus (list all its boards there)']);
  });

  it('names the keys a bus of type rs485 takes when one is misspelled', () => {
    expect(problems(withBus(bus({ baudrate: 9600 })))[0]).toMatch(/^buses\[0\]\.baudrate: unknown key; did you mean "baudRate"\?/);
    expect(problems(withBus(bus({ baudRate: 12345 })))[0]).toMatch(/^buses\[0\]\.baudRate: 12345 is not one of 1200, 2400, 4800, 9600/);
  });
});

describe('buildDoors', () => {
  it('a simulated-only config builds the simulator and never loads the serial module', async () => {
    let loads = 0;
    const config = loadConfig(join(ROOT, 'config', 'default.json'));
    const built = buildDoors(config.buses, captureLogger().log, { loadBinding: async () => (loads++, Promise.reject(new Error('no'))) });
    expect(built.doors).toBeInstanceOf(SimLockBoards);
    await built.doors.start();
    await built.doors.stop();
    expect(loads).toBe(0);
  });

  it('an rs485 bus loads the serial module when it starts, not when it is built; a failure does not stop start()', async () => {
    let loads = 0;
    const config = parseConfig(withBus(bus()), 't.json');
    const built = buildDoors(config.buses, captureLogger().log, {
      loadBinding: async () => {
        loads++;
        throw new Error('Cannot find module serialport');
      },
    });
    expect(built.doors).toBeInstanceOf(LockBoardController);
    expect(built.simBoards).toBeUndefined();
    expect(loads).toBe(0);
    await built.doors.start();
    expect(loads).toBe(1);
    expect(built.doors.health()[0]).toMatchObject({ board: 'B1', online: false });
    expect(built.doors.health()[0]!.detail).toMatch(/cannot load the serial port module/);
    await built.doors.stop();
  });

  it('mixes simulated and RS-485 buses: calls are routed by board', () => {
    const text = JSON.parse(withBus(bus()));
    text.buses.push({ id: 'sim', type: 'sim', boards: [{ id: 'S1', locks: 2 }] });
    const config = parseConfig(JSON.stringify(text), 't.json');
    const built = buildDoors(config.buses, captureLogger().log, { loadBinding: async () => Promise.reject(new Error('x')) });
    expect(built.simBoards).toBeInstanceOf(SimLockBoards);
    expect(built.doors.health().map((h) => h.board)).toEqual(['B1', 'S1']);
  });
});
