import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { defaultConfigPath, packageRoot } from '../../src/config/paths.js';
import { COMPARTMENT_SIZES, type SimBusConfig } from '../../src/config/types.js';


/** Examples named for what they show rather than demo-*, simulated for their walk-through. */
const WALKTHROUGHS: ReadonlySet<string> = new Set(['package-room.json', 'lockers-with-room-overflow.json']);
describe('config/default.json (the built-in simulated locker)', () => {
  const config = loadConfig(defaultConfigPath());

  it('is a demo locker on one simulated bus whose doors close only when told to', () => {
    expect(config.kioskId).toBe('demo-locker');
    expect(config.log.level).toBe('info');
    expect(config.buses).toHaveLength(1);
    expect(config.buses[0]).toMatchObject({ id: 'sim', type: 'sim', autoCloseMs: 0 });
    expect(config.buses[0]!.boards).toEqual([
      { id: 'B1', locks: 16 },
      { id: 'B2', locks: 16 },
    ]);
  });

  it('has 24+ compartments of every size, more small than large, and some accessible', () => {
    const { compartments } = config;
    expect(compartments.length).toBeGreaterThanOrEqual(24);
    const count = (sizes: string[]) => compartments.filter((c) => sizes.includes(c.size)).length;
    for (const size of COMPARTMENT_SIZES) expect(count([size]), size).toBeGreaterThan(0);
    expect(count(['S', 'M'])).toBeGreaterThan(count(['L', 'XL']));
    expect(compartments.filter((c) => c.accessible).map((c) => c.id)).toHaveLength(4);
    expect(compartments.filter((c) => c.board === 'B1').map((c) => c.id)[0]).toBe('A01');
    expect(compartments.filter((c) => c.board === 'B2').map((c) => c.id)[0]).toBe('B01');
  });

  it('has units, some of them accessible, and three carriers whose PINs differ in length from codes', () => {
    expect(config.units.length).toBeGreaterThanOrEqual(16);
    expect(config.units.map((u) => u.id)).toContain('101');
    expect(config.units.some((u) => u.accessible)).toBe(true);
    expect(config.couriers.map((c) => c.carrier).sort()).toEqual(['FedEx', 'UPS', 'USPS']);
    expect(config.codes.length).toBe(8);
    for (const c of config.couriers) expect(c.pin).toMatch(/^\d{6}$/);
  });

  it('demo-autoclose.json is the same locker with doors that shut after 5 s', () => {
    const autoclose = loadConfig(join(packageRoot(), 'config', 'examples', 'demo-autoclose.json'));
    expect((autoclose.buses[0] as SimBusConfig).autoCloseMs).toBe(5000);
    const expected = structuredClone(config);
    (expected.buses[0] as SimBusConfig).autoCloseMs = 5000;
    expect(autoclose).toEqual(expected);
  });

  it('demo-short-hold.json is the same locker with 15-minute holds that stop the code', () => {
    const short = loadConfig(join(packageRoot(), 'config', 'examples', 'demo-short-hold.json'));
    const expected = structuredClone(config);
    expected.holds = { length: '15m', lengthBySize: {}, reminders: [{ before: '3m' }], atEnd: 'code_stops' };
    expect(short).toEqual(expected);
  });

  it('asks for the simulated keypad and scanner, which only the demo configs do', () => {
    expect(config.simulator).toEqual({ keypad: true, scanner: true });
    const dir = join(packageRoot(), 'config', 'examples');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const example = loadConfig(join(dir, f));
      // The storage walk-throughs (README, docs/package-room.md) are driven with lockerctl sim too.
      const demo = f.startsWith('demo-') || WALKTHROUGHS.has(f);
      expect(example.simulator, f).toEqual({ keypad: demo, scanner: demo });
      if (demo) expect(example.buses.every((b) => b.type === 'sim'), `${f}: a demo config simulates its doors too`).toBe(true);
    }
  });

  it('ships the package room and the room-overflow examples', () => {
    const dir = join(packageRoot(), 'config', 'examples');
    const room = loadConfig(join(dir, 'package-room.json'));
    expect(room.storage).toBe('room');
    expect(room.rooms.map((r) => r.id)).toEqual(['ROOM']);
    const overflow = loadConfig(join(dir, 'lockers-with-room-overflow.json'));
    expect(overflow.storage).toBe('lockers');
    expect(overflow.allocation.overflow).toEqual([{ to: 'ROOM', sizes: ['S', 'M', 'L', 'XL'] }]);
  });

  it('every shipped example config is valid', () => {
    const dir = join(packageRoot(), 'config', 'examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(() => loadConfig(join(dir, f)), f).not.toThrow();
  });
});
