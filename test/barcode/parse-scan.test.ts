/** Numbers: see carriers.test.ts and gs1.test.ts for their sources. */

import { describe, expect, it } from 'vitest';

import { formatBadge, formatPickupPayload, randomToken } from '../../src/barcode/index.js';
import { CHECK_DIGIT_REASON, describeScanForLog, parseScan, type ScanResult } from '../../src/barcode/index.js';

const GS = '\u001d';
const RS = '\u001e';
const EOT = '\u0004';
const MAXI_DATAMAX = `[)>${RS}01${GS}96${['841706672', '840', '001', '1Z12345675', 'UPSN', '12345E', '089', '', '1/1', '10.1', 'Y', '', '', 'UT'].join(GS)}${RS}${EOT}`;

describe('parseScan: carriers', () => {
  it.each([
    ['1Z879E930346834440', 'UPS', '1Z879E930346834440'],
    ['1z 879e 930 346 834 440', 'UPS', '1Z879E930346834440'],
    ['568838414941', 'FedEx', '568838414941'],
    ['020207021381215', 'FedEx', '020207021381215'],
    ['9611020987654312345672', 'FedEx', '987654312345672'],
    ['1001921334250001000300779017972697', 'FedEx', '779017972697'],
    ['9400 1112 0108 0805 4830 16', 'USPS', '9400111201080805483016'],
    ['92001903060085300042901077', 'USPS', '92001903060085300042901077'],
    ['03071790000523483741', 'USPS', '03071790000523483741'],
    ['RB123456785US', 'USPS', 'RB123456785US'],
    ['3318810025', 'DHL', '3318810025'],
    ['TBA502887274000', 'Amazon', 'TBA502887274000'],
    ['tbm123456789012', 'Amazon', 'TBM123456789012'],
    ['RB123456785GB', 'UPU', 'RB123456785GB'],
  ])('%j is a valid %s parcel', (scan, carrier, tracking) => {
    expect(parseScan(scan)).toEqual({ kind: 'parcel', carrier, tracking, valid: true });
  });

  it.each([
    ['1Z879E930346834441', 'UPS'],
    ['9611020987654312345673', 'FedEx'],
    ['1001901781990001000300617767839438', 'FedEx'],
    ['9400111201080805483017', 'USPS'],
    ['RB123456786US', 'USPS'],
    ['RB123456786GB', 'UPU'],
  ])('%j has a wrong check digit: %s parcel, not valid', (scan, carrier) => {
    expect(parseScan(scan)).toMatchObject({ kind: 'parcel', carrier, valid: false, reason: CHECK_DIGIT_REASON });
  });

  it('treats bare digit runs that fail every check as an unknown carrier (regional carriers exist)', () => {
    for (const scan of ['996578788855', '568283610012732', '3318810010', '03071790000523483742']) {
      expect(parseScan(scan)).toEqual({ kind: 'parcel', carrier: 'unknown', tracking: scan, valid: true });
    }
  });

  it('accepts other plausible tracking numbers as unknown-carrier parcels', () => {
    expect(parseScan('C11223344556677')).toEqual({ kind: 'parcel', carrier: 'unknown', tracking: 'C11223344556677', valid: true });
    expect(parseScan('1ls-1234-5678-9012')).toMatchObject({ kind: 'parcel', carrier: 'unknown', tracking: '1LS123456789012' });
    expect(parseScan('ABCD1234')).toMatchObject({ kind: 'parcel', carrier: 'unknown' });
  });

  it('calls everything else unknown', () => {
    for (const scan of ['ABC123', 'A'.repeat(41), 'hello world!', 'https://example.com/x', '1Z879E93/0346834440', 'Straße 12345']) {
      expect(parseScan(scan)).toMatchObject({ kind: 'unknown', valid: false });
    }
    expect(parseScan('')).toEqual({ kind: 'unknown', valid: false, reason: 'empty scan' });
  });
});

describe('parseScan: AIM identifiers and GS1', () => {
  it('strips the AIM identifier and keeps it', () => {
    expect(parseScan(']C01Z879E930346834440')).toEqual({
      kind: 'parcel',
      carrier: 'UPS',
      tracking: '1Z879E930346834440',
      valid: true,
      symbology: ']C0',
    });
  });

  it('reads USPS IMpb with GS', () => {
    expect(parseScan(`]C142022153${GS}9101026837331000039521`)).toEqual({
      kind: 'parcel',
      carrier: 'USPS',
      tracking: '9101026837331000039521',
      valid: true,
      symbology: ']C1',
    });
    expect(parseScan(`${GS}420100233424${GS}9200190132607600833457`)).toMatchObject({
      carrier: 'USPS',
      tracking: '9200190132607600833457',
      valid: true,
    });
  });

  it('reads USPS IMpb without GS, with or without an AIM id', () => {
    expect(parseScan(']C1420221539101026837331000039521')).toMatchObject({ carrier: 'USPS', tracking: '9101026837331000039521', valid: true });
    expect(parseScan('4201028200009261290113185417468510')).toMatchObject({ carrier: 'USPS', tracking: '9261290113185417468510', valid: true });
    expect(parseScan('420773169261290283641500004181')).toMatchObject({ carrier: 'USPS', tracking: '9261290283641500004181', valid: true });
  });

  it('flags a misread IMpb', () => {
    expect(parseScan(`]C142022153${GS}9101026837331000039522`)).toMatchObject({ kind: 'parcel', carrier: 'USPS', valid: false, reason: CHECK_DIGIT_REASON });
    expect(parseScan('420221539101026837331000039522')).toMatchObject({ kind: 'parcel', carrier: 'USPS', valid: false });
  });

  it('explains the ship-to postal code barcode and product barcodes', () => {
    expect(parseScan(']C142022153')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('postal code') });
    expect(parseScan(']C1420221531234')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('postal code') });
    expect(parseScan(']E04006381333931')).toMatchObject({ kind: 'unknown', symbology: ']E0', reason: expect.stringContaining('product') });
    expect(parseScan(']C10100012345678905')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('product') });
  });

  it('reads an SSCC as an unknown-carrier parcel, with its check digit', () => {
    expect(parseScan(']C100000123450000000027')).toEqual({
      kind: 'parcel',
      carrier: 'unknown',
      tracking: '000123450000000027',
      valid: true,
      symbology: ']C1',
    });
    expect(parseScan(']C100000123450000000028')).toMatchObject({ kind: 'parcel', valid: false });
  });

  it('leaves GS1-flagged data with no known AI to the carrier rules', () => {
    expect(parseScan(']C11Z879E930346834440')).toMatchObject({ kind: 'parcel', carrier: 'UPS', valid: true });
  });

  it('reads carrier numbers sent as a GS1 company-internal element (AI 91-99)', () => {
    // FedEx Ground 96 and USPS IMpb barcodes without a 420 part are GS1-128 symbols too.
    expect(parseScan(']C19611020987654312345672')).toMatchObject({ kind: 'parcel', carrier: 'FedEx', tracking: '987654312345672', valid: true });
    expect(parseScan(`${GS}9611020987654312345672`)).toMatchObject({ kind: 'parcel', carrier: 'FedEx', valid: true });
    expect(parseScan(']C19400111201080805483016')).toMatchObject({ kind: 'parcel', carrier: 'USPS', tracking: '9400111201080805483016', valid: true });
    expect(parseScan(']C19400111201080805483017')).toMatchObject({ kind: 'parcel', carrier: 'USPS', valid: false });
  });

  it('calls a GS string without a tracking number unknown', () => {
    expect(parseScan(`ABC${GS}DEF`)).toMatchObject({ kind: 'unknown' });
    expect(parseScan(`9611020987654312345672${GS}10ABC`)).toMatchObject({ kind: 'unknown' });
  });
});

describe('parseScan: UPS MaxiCode', () => {
  it('extracts the 1Z number', () => {
    expect(parseScan(MAXI_DATAMAX)).toEqual({ kind: 'parcel', carrier: 'UPS', tracking: '1Z12345E0112345675', valid: true });
    expect(parseScan(`]U1${MAXI_DATAMAX}`)).toMatchObject({ carrier: 'UPS', tracking: '1Z12345E0112345675', symbology: ']U1' });
  });

  it('flags a wrong check digit', () => {
    expect(parseScan(MAXI_DATAMAX.replace('1Z12345675', '1Z12345676'))).toMatchObject({ kind: 'parcel', carrier: 'UPS', valid: false });
  });

  it('asks for the 1Z barcode when the MaxiCode has no tracking number', () => {
    expect(parseScan(`[)>${RS}01${GS}96841706672${GS}840${GS}001${RS}${EOT}`)).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('1Z') });
  });
});

describe('parseScan: lockerd codes', () => {
  it('recognises a pickup QR, with or without an AIM id', () => {
    const token = randomToken();
    const payload = formatPickupPayload('lobby-1', token);
    expect(parseScan(payload)).toEqual({ kind: 'pickup', valid: true, pickup: { kioskId: 'lobby-1', token } });
    expect(parseScan(`]Q1${payload}`)).toMatchObject({ kind: 'pickup', symbology: ']Q1' });
  });

  it('recognises a badge', () => {
    const token = randomToken();
    expect(parseScan(formatBadge(token))).toEqual({ kind: 'badge', valid: true, badge: { token } });
  });

  it('never turns a damaged locker code into a parcel', () => {
    const token = randomToken();
    for (const scan of [`LKP1/lobby-1/${token.slice(1)}`, `LKB1/${token}X`, `lkb1/${token}`, `LKP9/a/${token}`, 'LKB1/']) {
      const r = parseScan(scan);
      expect(r.kind).toBe('unknown');
      expect(JSON.stringify(r)).not.toContain(token.slice(2, 20));
    }
  });
});

describe('parseScan: refusals', () => {
  it('refuses scans longer than maxLength (default 512)', () => {
    expect(parseScan('1'.repeat(512)).kind).not.toBe('refused');
    expect(parseScan('1'.repeat(513))).toMatchObject({ kind: 'refused', valid: false, length: 513 });
    expect(parseScan('1Z879E930346834440', { maxLength: 10 })).toMatchObject({ kind: 'refused', reason: expect.stringContaining('too long') });
  });

  it.each([
    ['NUL', '1Z879E93\u00000346834440'],
    ['BEL', '\u00071Z879E930346834440'],
    ['ESC sequence', '1Z879E930346834440\u001b[2J'],
    ['tab', '1Z879E93\t0346834440'],
    ['CR in the middle', '1Z879E93\r0346834440'],
    ['DEL', '1Z879E930346834440\u007f'],
    ['C1 control', '1Z879E930346834440\u0085'],
    ['bidi override', '1Z879E93\u202e0346834440'],
    ['zero-width space', '1Z879E93\u200b0346834440'],
    ['line separator', '1Z879E93\u20280346834440'],
    ['lone surrogate', '1Z879E93\ud8000346834440'],
    ['RS outside a MaxiCode envelope', `420221539101026837331000039521${RS}`],
    ['EOT outside a MaxiCode envelope', `1Z879E930346834440${EOT}`],
  ])('refuses a scan with %s', (_name, scan) => {
    expect(parseScan(scan)).toMatchObject({ kind: 'refused', valid: false, reason: 'scan contains control characters' });
  });

  it('allows GS anywhere, and RS/EOT in a MaxiCode envelope', () => {
    expect(parseScan(`42022153${GS}9101026837331000039521`).kind).toBe('parcel');
    expect(parseScan(MAXI_DATAMAX).kind).toBe('parcel');
  });

  it('ignores a trailing line terminator', () => {
    expect(parseScan('1Z879E930346834440\r\n')).toMatchObject({ kind: 'parcel', tracking: '1Z879E930346834440' });
    expect(parseScan('1Z879E930346834440\n')).toMatchObject({ kind: 'parcel' });
  });
});

describe('describeScanForLog', () => {
  const token = randomToken();

  it('gives the kiosk id of a pickup QR, never its token', () => {
    const summary = describeScanForLog(parseScan(formatPickupPayload('lobby-1', token)));
    expect(summary).toEqual({ kind: 'pickup', kioskId: 'lobby-1' });
    expect(JSON.stringify(summary)).not.toContain(token);
  });

  it('gives only the kind of a badge', () => {
    const summary = describeScanForLog(parseScan(formatBadge(token)));
    expect(summary).toEqual({ kind: 'badge' });
  });

  it('summarises parcels and unknown scans', () => {
    expect(describeScanForLog(parseScan(']C01Z879E930346834441'))).toEqual({
      kind: 'parcel',
      carrier: 'UPS',
      tracking: '1Z879E930346834441',
      valid: false,
      symbology: ']C0',
      reason: CHECK_DIGIT_REASON,
    });
    expect(describeScanForLog(parseScan('hello world!'))).toEqual({ kind: 'unknown', reason: 'not a tracking number or locker code' });
  });

  it('gives the length and a short escaped excerpt of a refused scan', () => {
    const scan = `1Z879E93\u0000\u001b[31mEVIL\n${'x'.repeat(600)}`;
    const summary = describeScanForLog(parseScan(scan));
    expect(summary.kind).toBe('refused');
    expect(summary.length).toBe(scan.length);
    expect(summary.excerpt?.length).toBeLessThanOrEqual(40);
    expect(summary.excerpt).toMatch(/^[\x20-\x7e]*$/);
    expect(summary.excerpt?.startsWith('1Z879E93\\x00\\x1b[31mEVIL\\x0a')).toBe(true);
  });

  it('escapes non-ASCII characters', () => {
    const summary = describeScanForLog(parseScan('é\u0001€😀\\'));
    expect(summary.excerpt).toBe('\\xe9\\x01\\u20ac\\u{1f600}\\\\');
  });

  it.each([
    ['a pickup QR with a control character', () => `${formatPickupPayload('lobby-1', token)}\u0001`],
    ['a pickup QR after junk', () => `ab\u0007${formatPickupPayload('k', token)}`],
    ['a badge with a control character', () => `\u0001${formatBadge(token)}`],
    ['an over-long scan holding a badge', () => `${formatBadge(token)}${'9'.repeat(600)}`],
    ['a bare token', () => `${token}\u0000`],
    ['a lower-case token', () => `lkb1/${token.toLowerCase()}\u0000`],
  ])('never logs the token of %s', (_name, make) => {
    const result: ScanResult = parseScan(make());
    expect(result.kind).toBe('refused');
    const logged = JSON.stringify(describeScanForLog(result));
    // No 10 consecutive characters of the token survive, in either case.
    for (let i = 0; i + 10 <= token.length; i++) {
      expect(logged.toUpperCase()).not.toContain(token.slice(i, i + 10));
    }
  });

  it('re-derives a safe excerpt from a hand-built result', () => {
    const summary = describeScanForLog({ kind: 'refused', valid: false, excerpt: `LKB1/${token}\u0000` });
    expect(JSON.stringify(summary)).not.toContain(token.slice(0, 10));
    expect(summary.excerpt).toMatch(/^[\x20-\x7e]{0,40}$/);
  });
});
