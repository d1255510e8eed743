/**
 * IMpb numbers: TND = tracking_number_data couriers/usps.json; issue numbers from
 * jkeen/tracking_number#70 and #79. The GS-delimited forms are those same numbers laid out as
 * the GS1-128 symbol encodes them (FNC1 sent as GS after the variable-length 420 field).
 */

import { describe, expect, it } from 'vitest';

import { GS, parseGs1, readImpb } from '../../src/barcode/gs1.js';

describe('parseGs1', () => {
  it('splits fixed and GS-terminated variable fields', () => {
    expect(parseGs1(`42022153${GS}9101026837331000039521`)).toEqual({
      elements: [
        { ai: '420', value: '22153' },
        { ai: '91', value: '01026837331000039521' },
      ],
      rest: '',
    });
    expect(parseGs1(`00000123450000000027`).elements).toEqual([{ ai: '00', value: '000123450000000027' }]);
    expect(parseGs1(`0100012345678905${'10'}ABC${GS}21XYZ`).elements).toEqual([
      { ai: '01', value: '00012345678905' },
      { ai: '10', value: 'ABC' },
      { ai: '21', value: 'XYZ' },
    ]);
  });

  it('accepts FNC1 in first position sent as a leading GS', () => {
    expect(parseGs1(`${GS}00000123450000000027`).elements).toHaveLength(1);
  });

  it('stops at an unknown AI or a malformed field and reports the rest', () => {
    expect(parseGs1('1Z879E930346834440')).toEqual({ elements: [], rest: '1Z879E930346834440' });
    expect(parseGs1('0012345')).toEqual({ elements: [], rest: '0012345' });
    expect(parseGs1(`00000123450000000027${'37'}5`).rest).toBe('375');
    expect(parseGs1(`10${'A'.repeat(21)}`).elements).toEqual([]);
    expect(parseGs1(`10${GS}`).elements).toEqual([]);
    expect(parseGs1('10AB\u00e9').elements).toEqual([]);
  });
});

describe('readImpb with GS', () => {
  it('reads 420 + 5-digit ZIP + GS + 22 digits', () => {
    expect(readImpb(`42022153${GS}9101026837331000039521`)).toEqual({
      postalCode: '22153',
      tracking: '9101026837331000039521',
      valid: true,
    });
  });

  it('reads 420 + 9-digit ZIP + GS + 22 digits', () => {
    expect(readImpb(`420100233424${GS}9200190132607600833457`)).toEqual({
      postalCode: '100233424',
      tracking: '9200190132607600833457',
      valid: true,
    });
  });

  it('reads a 26-digit tracking number', () => {
    expect(readImpb(`42010001${GS}92001903060085300042901077`)?.tracking).toBe('92001903060085300042901077');
  });

  it('reads the 421 form (ISO numeric country + postal code)', () => {
    // Constructed: 421 + 840 (USA) + postal code 12345 around the TND number 9400111201080805483016.
    expect(readImpb(`42184012345${GS}9400111201080805483016`)).toEqual({
      postalCode: '12345',
      country: '840',
      tracking: '9400111201080805483016',
      valid: true,
    });
  });

  it('reports a wrong check digit', () => {
    expect(readImpb(`42022153${GS}9101026837331000039522`)).toEqual({
      postalCode: '22153',
      tracking: '9101026837331000039522',
      valid: false,
    });
  });

  it('returns null when there is no USPS number after the postal code', () => {
    expect(readImpb(`42022153`)).toBeNull();
    expect(readImpb(`42022153${GS}`)).toBeNull();
    expect(readImpb(`42022153${GS}1Z879E930346834440`)).toBeNull();
    expect(readImpb(`00000123450000000027${GS}9101026837331000039521`)).toBeNull();
  });
});

describe('readImpb without GS (postal code length inferred)', () => {
  it.each([
    // TND "420 22153 9101026837331000039521"
    ['420221539101026837331000039521', '22153', '9101026837331000039521'],
    // jkeen/tracking_number#70 and #79
    ['420773169261290283641500004181', '77316', '9261290283641500004181'],
    ['420112139261290983497923666238', '11213', '9261290983497923666238'],
    // TND "USPS 34v2": ZIP+4
    ['4201002334249200190132607600833457', '100233424', '9200190132607600833457'],
    ['4201028200009261290113185417468510', '102820000', '9261290113185417468510'],
  ])('%s', (scan, postalCode, tracking) => {
    expect(readImpb(scan)).toEqual({ postalCode, tracking, valid: true });
  });

  it('finds a 26-digit number after a 5-digit ZIP', () => {
    // Constructed: ZIP 10001 + the 26-digit number from jkeen/tracking_number#79.
    expect(readImpb('4201000192001903060085300042901077')).toEqual({
      postalCode: '10001',
      tracking: '92001903060085300042901077',
      valid: true,
    });
  });

  it('reads the 421 form', () => {
    expect(readImpb('421840123459400111201080805483016')).toMatchObject({
      country: '840',
      postalCode: '12345',
      tracking: '9400111201080805483016',
      valid: true,
    });
  });

  it('reports an IMpb-shaped reading whose check digit fails', () => {
    expect(readImpb('420221539101026837331000039522')).toEqual({
      postalCode: '22153',
      tracking: '9101026837331000039522',
      valid: false,
    });
  });

  it('returns null when no reading is shaped like a USPS number (TND invalid examples)', () => {
    expect(readImpb('420000000000000000000000000000')).toBeNull();
    expect(readImpb('4200000')).toBeNull();
    expect(readImpb('1Z879E930346834440')).toBeNull();
  });

  it('rejects TND invalid 420000009200000000000000000000', () => {
    expect(readImpb('420000009200000000000000000000')).toMatchObject({ valid: false });
  });
});
