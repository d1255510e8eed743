/**
 * Test numbers and their sources:
 * - TND: the public "tracking_number_data" set (github.com/jkeen/tracking_number_data,
 *   couriers/*.json, MIT), its `test_numbers.valid` / `invalid` lists.
 * - FedEx mock: "Mock Tracking Numbers for FedEx Express and FedEx Ground" in FedEx's developer
 *   portal Track API documentation (also widely copied into client libraries' tests).
 * - Issue threads of jkeen/tracking_number, jkeen/tracking_number_data and
 *   rjbrooksjr/ts-tracking-number, where users posted real USPS numbers that were misdetected.
 * - "constructed": no published example was found; the check digit was computed here and the
 *   comment says so.
 */

import { describe, expect, it } from 'vitest';

import { isValidUspsNumber, matchCarrier, normaliseTracking } from '../../src/barcode/carriers.js';

/** The same number with its check digit (last character) changed by one. */
function badCheck(s: string): string {
  const d = Number(s.at(-1));
  return s.slice(0, -1) + String((d + 1) % 10);
}

/** The same number with one data digit (at index i) changed by one. */
function badDigit(s: string, i: number): string {
  const d = Number(s[i]);
  return s.slice(0, i) + String((d + 1) % 10) + s.slice(i + 1);
}

describe('UPS 1Z', () => {
  const valid = [
    // TND ups.json
    '1Z5R89390357567127',
    '1Z879E930346834440',
    '1Z410E7W0392751591',
    '1Z8V92A70367203024',
  ];
  it.each(valid)('%s is valid UPS', (n) => {
    expect(matchCarrier(n)).toEqual({ carrier: 'UPS', format: 'ups-1z', tracking: n, valid: true });
  });
  it.each(valid)('%s with one digit changed fails', (n) => {
    expect(matchCarrier(badCheck(n))).toMatchObject({ carrier: 'UPS', valid: false });
    expect(matchCarrier(badDigit(n, 10))).toMatchObject({ carrier: 'UPS', valid: false });
  });
  it('rejects TND invalid examples', () => {
    expect(matchCarrier('1Z1111111111111111')).toMatchObject({ carrier: 'UPS', valid: false });
    expect(matchCarrier('2Z5R89390357567127')?.carrier).not.toBe('UPS');
    expect(matchCarrier('1A5R89390357567127')).toBeNull();
  });
  it("UPS's developer-kit sample numbers (1Z12345E...) are synthetic and do not pass", () => {
    // Kept as a reminder: these circulate as "test numbers" but fail the check digit.
    expect(matchCarrier('1Z12345E0291980793')).toMatchObject({ carrier: 'UPS', valid: false });
  });
});

describe('FedEx', () => {
  const express = [
    // TND fedex.json "FedEx Express (12)"
    '986578788855',
    '477179081230',
    '799531274483',
    '790535312317',
    '974367662710',
    // FedEx mock (Express)
    '568838414941',
    '797806677146',
    '797615467620',
    '581190049992',
  ];
  it.each(express)('%s is valid FedEx Express', (n) => {
    expect(matchCarrier(n)).toEqual({ carrier: 'FedEx', format: 'fedex-express', tracking: n, valid: true });
  });
  it.each(express)('%s with one digit changed is not FedEx', (n) => {
    // 12 bare digits are not distinctive: a failed check means "some other carrier" (null).
    expect(matchCarrier(badCheck(n))).toBeNull();
  });
  it('rejects the TND invalid Express example', () => {
    expect(matchCarrier('996578788855')).toBeNull();
  });

  const ground = [
    // TND fedex.json "FedEx Ground"
    '041441760228964',
    '568283610012000',
    '568283610012734',
    // FedEx mock (Ground)
    '449044304137821',
    '149331877648230',
    '020207021381215',
    '403934084723025',
    '920241085725456',
    '039813852990618',
    '231300687629630',
    '377101283611590',
    '852426136339213',
    '957794015041323',
    '076288115212522',
    '122816215025810',
    '843119172384577',
    '070358180009382',
  ];
  it.each(ground)('%s is valid FedEx Ground', (n) => {
    expect(matchCarrier(n)).toEqual({ carrier: 'FedEx', format: 'fedex-ground', tracking: n, valid: true });
  });
  it.each(ground)('%s with one digit changed is not FedEx', (n) => {
    expect(matchCarrier(badCheck(n))).toBeNull();
    expect(matchCarrier(badDigit(n, 7))).toBeNull();
  });
  it('rejects the TND invalid Ground example', () => {
    expect(matchCarrier('568283610012732')).toBeNull();
  });

  it('reads the 15-digit number out of a 22-digit 96 barcode', () => {
    // TND "FedEx Ground 96 (22)"
    expect(matchCarrier('9611020987654312345672')).toEqual({
      carrier: 'FedEx',
      format: 'fedex-ground-96',
      tracking: '987654312345672',
      valid: true,
    });
    // 96 + 22 digits is distinctive: a wrong check digit is a misread, not another carrier.
    expect(matchCarrier('9611020987654312345673')).toMatchObject({ carrier: 'FedEx', valid: false });
    expect(matchCarrier('9600000000000000000001')).toMatchObject({ carrier: 'FedEx', valid: false });
  });

  it.each([
    // TND "FedEx Express (34)" and "FedEx Ground GSN"
    ['1001921334250001000300779017972697', '779017972697'],
    ['1001921380360001000300639585804382', '639585804382'],
    ['1001901781990001000300617767839437', '617767839437'],
    ['1002297871540001000300790695517286', '790695517286'],
    ['9622001900000000000000776632517510', '776632517510'],
    ['9622001560001234567100794808390594', '794808390594'],
    ['9632001560123456789900794808390594', '794808390594'],
  ])('reads the 12-digit tail of the 34-digit barcode %s', (n, tracking) => {
    expect(matchCarrier(n)).toEqual({ carrier: 'FedEx', format: 'fedex-34', tracking, valid: true });
  });

  it('reads a 15-digit tail when the 12-digit reading fails (96 barcodes)', () => {
    // Constructed: 96 + 17 filler digits + the FedEx mock Ground number 020207021381215
    // (whose last 12 digits fail the Express check, so only the 15-digit reading holds).
    expect(matchCarrier('9622001560001234567020207021381215')).toEqual({
      carrier: 'FedEx',
      format: 'fedex-34',
      tracking: '020207021381215',
      valid: true,
    });
  });

  it('rejects 34-digit barcodes with a wrong check digit', () => {
    // TND invalid examples
    expect(matchCarrier('1001901781990001000300617767839438')).toMatchObject({ carrier: 'FedEx', valid: false });
    expect(matchCarrier('9622001560001234567100794808390595')).toMatchObject({ carrier: 'FedEx', valid: false });
  });
});

describe('USPS', () => {
  const impb = [
    // TND usps.json "USPS 91"
    '9400111201080805483016',
    '9361289878700317633795',
    '9405803699300124287899',
    '9505511069605048600624',
    '9101123456789000000013',
    '92748931507708513018050063',
    // jkeen/tracking_number_data#99 (reported as USPS numbers misdetected as FedEx)
    '9202090339598352279018',
    '9201990153540214710128',
    // jkeen/tracking_number#27 (UPS/OSM parcels delivered by USPS)
    '9274890103422546330271',
    '9261290172376608200214',
    // jkeen/tracking_number#79 and rjbrooksjr/ts-tracking-number#33 (26 digits)
    '92001903060085300042901077',
    '92612926729001553084952221',
  ];
  it.each(impb)('%s is a valid USPS IMpb number', (n) => {
    expect(matchCarrier(n)).toEqual({ carrier: 'USPS', format: 'usps-impb', tracking: n, valid: true });
  });
  it.each(impb)('%s with one digit changed fails (and stays USPS: the shape is distinctive)', (n) => {
    expect(matchCarrier(badCheck(n))).toMatchObject({ carrier: 'USPS', valid: false });
    expect(matchCarrier(badDigit(n, 12))).toMatchObject({ carrier: 'USPS', valid: false });
  });
  it('rejects TND invalid examples', () => {
    expect(matchCarrier('9200000000000000000000')).toMatchObject({ carrier: 'USPS', valid: false });
  });

  it.each([
    // TND "USPS 20"; the third is valid only with its implied leading 91 (TND "USPS 91").
    '03071790000523483741',
    '71123456789123456787',
    '71969010756003077385',
  ])('%s is a valid 20-digit USPS number', (n) => {
    expect(matchCarrier(n)).toEqual({ carrier: 'USPS', format: 'usps-20', tracking: n, valid: true });
  });
  it('20 bare digits with a wrong check digit are not USPS', () => {
    expect(matchCarrier('03071790000523483742')).toBeNull();
    expect(matchCarrier('71969010756003077386')).toBeNull();
    // TND: a FedEx SmartPost number printed without its 92 is not a USPS 20-digit number.
    expect(matchCarrier('61299998820821171811')).toBeNull();
  });

  it('isValidUspsNumber accepts only USPS lengths', () => {
    expect(isValidUspsNumber('9400111201080805483016')).toBe(true);
    expect(isValidUspsNumber('400111201080805483016')).toBe(false);
    expect(isValidUspsNumber('')).toBe(false);
  });

  it('S10 numbers from the US are USPS', () => {
    // TND s10.json
    expect(matchCarrier('RB123456785US')).toEqual({ carrier: 'USPS', format: 'upu-s10', tracking: 'RB123456785US', valid: true });
    // Constructed from the UPU S10 worked example (47312482 -> check digit 9).
    expect(matchCarrier('LZ473124829US')).toMatchObject({ carrier: 'USPS', valid: true });
    expect(matchCarrier('RB123456786US')).toMatchObject({ carrier: 'USPS', valid: false });
  });
});

describe('UPU S10', () => {
  it.each([
    // TND s10.json
    'RB123456785GB',
    'RB123456785CV',
    'RB123456785CF',
    // Constructed from the UPU S10 worked example (serial 47312482, check digit 9).
    'RR473124829CH',
    'EE473124829DE',
  ])('%s is a valid S10 identifier', (n) => {
    expect(matchCarrier(n)).toEqual({ carrier: 'UPU', format: 'upu-s10', tracking: n, valid: true });
  });
  it('a changed digit fails', () => {
    expect(matchCarrier('RB123456786GB')).toMatchObject({ carrier: 'UPU', valid: false });
    expect(matchCarrier('RB123456775GB')).toMatchObject({ carrier: 'UPU', valid: false });
    expect(matchCarrier('RR473124828CH')).toMatchObject({ carrier: 'UPU', valid: false });
  });
  it('needs a real country code (TND invalid example RB123456785XX)', () => {
    expect(matchCarrier('RB123456785XX')).toBeNull();
    expect(matchCarrier('RB123456785UK')).toBeNull();
  });
});

describe('DHL Express', () => {
  const valid = ['3318810025', '8487135506', '1099255990', '3821724944', '3318810036', '3318810014']; // TND dhl.json
  it.each(valid)('%s is valid DHL Express', (n) => {
    expect(matchCarrier(n)).toEqual({ carrier: 'DHL', format: 'dhl-express', tracking: n, valid: true });
  });
  it.each(valid)('%s with one digit changed is not DHL', (n) => {
    expect(matchCarrier(badCheck(n))).toBeNull();
    expect(matchCarrier(badDigit(n, 4))).toBeNull();
  });
  it.each(['3318810010', '3318810034', '3318810011'])('TND invalid %s is not DHL', (n) => {
    expect(matchCarrier(n)).toBeNull();
  });
});

describe('Amazon', () => {
  it.each([
    // TND amazon.json
    'TBA502887274000',
    'TBA010000000000',
    // Constructed: TBC and TBM prefixes (no check digit exists for Amazon numbers).
    'TBC123456789012',
    'TBM123456789012',
  ])('%s is Amazon', (n) => {
    expect(matchCarrier(n)).toEqual({ carrier: 'Amazon', format: 'amazon-tb', tracking: n, valid: true });
  });
  it.each(['TBA50288727400A', 'TBB000000000000', 'TBA12345678901', 'TBA1234567890123'])('%s is not Amazon', (n) => {
    expect(matchCarrier(n)).toBeNull();
  });
});

describe('normaliseTracking', () => {
  it('drops spaces and dashes and upper-cases', () => {
    expect(normaliseTracking('1z 879e 930 346 834 440')).toBe('1Z879E930346834440');
    expect(normaliseTracking('9400-1112-0108-0805-4830-16')).toBe('9400111201080805483016');
  });
  it('refuses anything else', () => {
    expect(normaliseTracking('1Z879E93/0346834440')).toBeNull();
    expect(normaliseTracking('')).toBeNull();
    expect(normaliseTracking('  ')).toBeNull();
    expect(normaliseTracking('ÄBC12345')).toBeNull();
    // toUpperCase would turn these into ASCII letters.
    expect(normaliseTracking('stra\u00dfe12345')).toBeNull();
    expect(normaliseTracking('\ufb0012345678')).toBeNull();
  });
});
