import { describe, expect, it } from 'vitest';

import {
  endsWithCheckDigit,
  fedexExpressCheckDigit,
  gs1CheckDigit,
  mod7CheckDigit,
  s10CheckDigit,
  upsCheckDigit,
} from '../../src/barcode/checkdigits.js';

describe('check-digit algorithms', () => {
  it('GS1 mod 10 matches the GS1 worked SSCC example', () => {
    // SSCC example used in GS1 documents and tracking_number_data (FedEx Ground SSCC-18).
    expect(gs1CheckDigit('00012345000000002')).toBe(7);
    expect(endsWithCheckDigit('000123450000000027', gs1CheckDigit)).toBe(true);
    expect(endsWithCheckDigit('000123450000000028', gs1CheckDigit)).toBe(false);
  });

  it('UPS maps letters by (ch - A + 2) mod 10', () => {
    // 1Z879E930346834440 (tracking_number_data): body 879E93034683444, check 0.
    expect(upsCheckDigit('879E93034683444')).toBe(0);
    expect(upsCheckDigit('5R8939035756712')).toBe(7);
    // A..J give 2,3,...,9,0,1: two bodies differing only in a letter vs its mapped digit agree.
    expect(upsCheckDigit('A00000000000000')).toBe(upsCheckDigit('200000000000000'));
    expect(upsCheckDigit('0J0000000000000')).toBe(upsCheckDigit('010000000000000'));
    expect(upsCheckDigit('0Z0000000000000')).toBe(upsCheckDigit('070000000000000'));
  });

  it('FedEx Express weights 1,3,7 from the right, mod 11 then mod 10', () => {
    expect(fedexExpressCheckDigit('98657878885')).toBe(5);
    expect(fedexExpressCheckDigit('56883841494')).toBe(1);
  });

  it('DHL mod 7', () => {
    expect(mod7CheckDigit('331881002')).toBe(5);
    expect(mod7CheckDigit('')).toBe(-1);
  });

  it('S10 follows the worked example of the UPU S10 article', () => {
    // 47312482: S = 200, 200 mod 11 = 2, C = 9.
    expect(s10CheckDigit('47312482')).toBe(9);
    // r = 0 gives 5 (e.g. 12345678: the well-known RB123456785GB).
    expect(s10CheckDigit('12345678')).toBe(5);
    expect(s10CheckDigit('1234567')).toBe(-1);
  });

  it('returns -1 rather than a digit for characters an algorithm does not define', () => {
    expect(gs1CheckDigit('12a4')).toBe(-1);
    expect(upsCheckDigit('12a4')).toBe(-1);
    expect(fedexExpressCheckDigit('1-3')).toBe(-1);
    expect(mod7CheckDigit('12x')).toBe(-1);
    expect(s10CheckDigit('1234567X')).toBe(-1);
    expect(endsWithCheckDigit('9', gs1CheckDigit)).toBe(false);
    expect(endsWithCheckDigit('12345X', gs1CheckDigit)).toBe(false);
  });
});
