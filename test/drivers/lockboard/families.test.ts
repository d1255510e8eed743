/**
 * The family registry and the per-family hooks the door controller relies on instead of naming
 * a family: who ends a pulse (and with which bytes), and what a refusal's log line tells the
 * technician to change.
 */
import { describe, expect, it } from 'vitest';
import { FAMILIES, PROTOCOLS } from '../../../drivers/lockboard/families.js';
import type { BoardSpec } from '../../../drivers/lockboard/family.js';
import { SIM_FAMILIES } from '../../../drivers/lockboard/sim/families.js';

const hex = (b: Buffer | null | undefined) => (b ? b.toString('hex').toUpperCase() : b);

function board(over: Partial<BoardSpec> = {}): BoardSpec {
  return {
    id: 'B1', protocol: 'modbus-rtu', address: 1, locks: 8, polarity: 'one-is-closed', pulseMs: 500, powerGroup: 'g', sensors: false,
    modbus: { feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'board' }, ...over,
  };
}

describe('the family registry', () => {
  it('lists each family once under its own name, with a simulator, addresses and lock counts that make sense', () => {
    expect(PROTOCOLS).toEqual(['kerong-cu16', 'clone-8a', 'modbus-rtu']);
    expect(Object.keys(FAMILIES)).toEqual([...PROTOCOLS]);
    for (const p of PROTOCOLS) {
      const f = FAMILIES[p];
      expect(f.name, p).toBe(p);
      expect(SIM_FAMILIES[p], p).toBeDefined();
      expect(f.addressMin, p).toBeLessThanOrEqual(f.addressMax);
      expect(f.maxLocks, p).toBeGreaterThan(0);
      expect(SIM_FAMILIES[p].defaults.locks, p).toBeLessThanOrEqual(f.maxLocks);
    }
  });
});

describe('pulse hooks', () => {
  it('Modbus "host": the relay-off is FC 05 to the lock\'s channel with 0000; "board": none, the board ends the pulse', () => {
    const m = FAMILIES['modbus-rtu'];
    const host = { feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'host' } as const;
    expect(hex(m.relayOffRequest?.(board({ modbus: host }), 3))).toBe('0105000200006C0A');
    expect(hex(m.relayOffRequest?.(board({ address: 7, modbus: { ...host, feedback: 'coils', relayStart: 4 } }), 1))).toBe('0705000400008C6D');
    expect(m.relayOffRequest?.(board(), 3)).toBeNull();
  });

  it('CU16 and 0x8A boards always time their pulses themselves', () => {
    for (const p of ['kerong-cu16', 'clone-8a'] as const) expect(FAMILIES[p].relayOffRequest?.(board({ protocol: p }), 1) ?? null, p).toBeNull();
  });

  it('Modbus refusal hints name the setting to change; families without refusals leave it to the controller', () => {
    const m = FAMILIES['modbus-rtu'];
    expect(m.refusalHint?.(board(), 'refused')).toBe(': a board without timed pulses refuses them; set modbus.pulse to "host" for this board');
    expect(m.refusalHint?.(board(), 'not_echoed')).toBe(': a board without timed pulses ignores them; set modbus.pulse to "host" for this board');
    const host = board({ modbus: { feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'host' } });
    expect(m.refusalHint?.(host, 'refused')).toBe(': check the board address and its lock count');
    expect(m.refusalHint?.(host, 'not_echoed')).toBe(': check the board address, its relay numbering (modbus.relayStart) and its lock count');
    expect(FAMILIES['kerong-cu16'].refusalHint).toBeUndefined();
    expect(FAMILIES['clone-8a'].refusalHint).toBeUndefined();
  });
});
