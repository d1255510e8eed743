import { describe, expect, it } from 'vitest';
import { generateCode, generateUniqueCode } from '../../src/locker/retrieval-code.js';

describe('retrieval codes', () => {
  it('have the configured number of digits, leading zeros included', () => {
    expect(generateCode(8, () => 0)).toBe('00000000');
    for (let i = 0; i < 200; i++) expect(generateCode(10)).toMatch(/^[0-9]{10}$/);
  });

  it('use every digit about equally (the CSPRNG is not biased by the construction)', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 5000; i++) for (const d of generateCode(8)) counts[Number(d)]!++;
    // 40,000 digits: each should be near 4,000; 3,600..4,400 is > 6 standard deviations wide.
    for (const n of counts) expect(n).toBeGreaterThan(3600), expect(n).toBeLessThan(4400);
  });

  it('are drawn again while the code is live', () => {
    const draws = ['1', '1', '1', '1', '2'].map(Number);
    let i = 0;
    const code = generateUniqueCode(4, (c) => c.startsWith('1'), () => draws[Math.floor(i++ / 4) % draws.length]! );
    expect(code).toBe('2222');
  });

  it('give up loudly if the random source is stuck', () => {
    expect(() => generateUniqueCode(4, () => true, () => 7)).toThrow(/random source looks broken/);
  });
});
