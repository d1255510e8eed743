/**
 * parseScan is total: whatever a scanner (or an attacker holding a printed barcode) sends, it
 * returns one of the kinds and never throws, and its log summary never carries a token.
 */

import { describe, expect, it } from 'vitest';

import { formatBadge, formatPickupPayload } from '../../src/barcode/index.js';
import { describeScanForLog, INTERNAL_ERROR_REASON, parseScan, SCAN_KINDS } from '../../src/barcode/index.js';
import { base32Encode } from '../../src/barcode/token.js';
import { mulberry32 } from '../../drivers/sim/prng.js';


const SEEDS_OF_VALID_SCANS = [
  '1Z879E930346834440',
  '9611020987654312345672',
  '1001921334250001000300779017972697',
  '420221539101026837331000039521',
  `]C142022153\u001d9101026837331000039521`,
  `[)>\u001e01\u001d96841706672\u001d840\u001d001\u001d1Z12345675\u001dUPSN\u001d12345E\u001d089\u001e\u0004`,
  'RB123456785GB',
  'TBA502887274000',
  ']C100000123450000000027',
  'LKP1/lobby-1/',
  'LKB1/',
];

const ALPHABETS = [
  '0123456789',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  ' -/]()[>',
  '\u001d\u001e\u0004\u0000\u0007\u001b\r\n\t\u007f\u0085',
  '\u00e9\u00df\u20ac\u202e\u200b\u2028\ufeff\ud800\udc00\u{1f600}',
];

function randomScan(rand: () => number): string {
  const r = rand();
  const pick = (s: string): string => {
    const chars = [...s];
    return chars[Math.floor(rand() * chars.length)] ?? '';
  };
  if (r < 0.3) {
    // Mutate a real-looking scan: the paths past the first checks get exercised too.
    let s = SEEDS_OF_VALID_SCANS[Math.floor(rand() * SEEDS_OF_VALID_SCANS.length)] ?? '';
    const edits = 1 + Math.floor(rand() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * (s.length + 1));
      const alphabet = ALPHABETS[Math.floor(rand() * ALPHABETS.length)] ?? '0';
      const op = rand();
      if (op < 0.4) s = s.slice(0, at) + pick(alphabet) + s.slice(at + 1);
      else if (op < 0.7) s = s.slice(0, at) + pick(alphabet) + s.slice(at);
      else s = s.slice(0, at) + s.slice(at + 1);
    }
    return s;
  }
  if (r < 0.35) return 'Z'.repeat(500 + Math.floor(rand() * 40)); // around the length cap
  const length = Math.floor(rand() * 70);
  let s = '';
  for (let i = 0; i < length; i++) {
    const q = rand();
    if (q < 0.05) s += String.fromCharCode(Math.floor(rand() * 0x10000)); // any UTF-16 unit
    else s += pick(ALPHABETS[Math.floor(rand() * ALPHABETS.length)] ?? '0');
  }
  return s;
}

describe('parseScan fuzz', () => {
  it('never throws and always returns one of the kinds (50,000 random scans)', () => {
    const rand = mulberry32(0x10c4e7d);
    const counts = new Map<string, number>();
    const kinds = new Set<string>(SCAN_KINDS);
    const failures: string[] = [];
    // Plain checks in the loop (expect() per iteration would dominate the run time).
    for (let i = 0; i < 50_000; i++) {
      const scan = randomScan(rand);
      try {
        const result = parseScan(scan);
        const logged = JSON.stringify(describeScanForLog(result));
        // parseScan catches its own bugs (no input may crash the daemon); this reason says one happened.
        if (result.reason === INTERNAL_ERROR_REASON) failures.push('parser threw internally');
        else if (!kinds.has(result.kind)) failures.push(`kind ${String(result.kind)}`);
        else if (typeof result.valid !== 'boolean') failures.push('valid not boolean');
        else if ((result.kind === 'refused' || result.kind === 'unknown') && result.valid) failures.push(`${result.kind} but valid`);
        else if (!/^[\x20-\x7e]*$/.test(logged)) failures.push(`unsafe log ${logged}`);
        counts.set(result.kind, (counts.get(result.kind) ?? 0) + 1);
      } catch (err) {
        failures.push(`threw ${String(err)}`);
      }
      if (failures.length > 0) {
        throw new Error(`scan #${i} ${JSON.stringify(scan)}: ${failures.join('; ')}`);
      }
    }
    // The generator reaches every outcome except the lockerd codes (random tokens almost never parse).
    for (const kind of ['parcel', 'unknown', 'refused']) expect(counts.get(kind) ?? 0).toBeGreaterThan(500);
  });

  it('never logs a token, whatever surrounds it', () => {
    const rand = mulberry32(0x5eed);
    for (let i = 0; i < 5_000; i++) {
      const bytes = new Uint8Array(16);
      for (let b = 0; b < 16; b++) bytes[b] = Math.floor(rand() * 256);
      const token = base32Encode(bytes);
      const core = rand() < 0.5 ? formatPickupPayload('lobby-1', token) : formatBadge(token);
      const junk = (): string => randomScan(rand).slice(0, 8);
      const scan = rand() < 0.5 ? core : `${junk()}${core}${junk()}`;
      const logged = JSON.stringify(describeScanForLog(parseScan(scan))).toUpperCase();
      for (let k = 0; k + 10 <= token.length; k++) {
        if (logged.includes(token.slice(k, k + 10))) throw new Error(`token logged for ${JSON.stringify(scan)}: ${logged}`);
      }
    }
  });
});
