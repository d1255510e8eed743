import { describe, expect, it } from 'vitest';

import { KIOSK_ID_PATTERN } from '../../src/config/schema.js';
import { formatBadge, parseBadge } from '../../src/barcode/badge.js';
import { formatPickupPayload, KIOSK_ID, parsePickupPayload } from '../../src/barcode/pickup.js';
import { base32Encode, isToken, randomToken } from '../../src/barcode/token.js';

const TOKEN = 'MZXW6YTBOJQXEZLUMVZXI5DFNY'; // 26 chars, canonical (ends in Y: low 2 bits zero)

describe('tokens', () => {
  it('base32 encodes the RFC 4648 test vectors (without padding)', () => {
    const enc = (s: string): string => base32Encode(new TextEncoder().encode(s));
    expect(enc('')).toBe('');
    expect(enc('f')).toBe('MY');
    expect(enc('fo')).toBe('MZXQ');
    expect(enc('foo')).toBe('MZXW6');
    expect(enc('foob')).toBe('MZXW6YQ');
    expect(enc('fooba')).toBe('MZXW6YTB');
    expect(enc('foobar')).toBe('MZXW6YTBOI');
  });

  it('randomToken gives 26 canonical base32 characters, different each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const t = randomToken();
      expect(t).toMatch(/^[A-Z2-7]{26}$/);
      expect(isToken(t)).toBe(true);
      seen.add(t);
    }
    expect(seen.size).toBe(1000);
  });

  it('encodes 128 bits: all-zero and all-one inputs', () => {
    expect(base32Encode(new Uint8Array(16))).toBe('A'.repeat(26));
    expect(base32Encode(new Uint8Array(16).fill(255))).toBe(`${'7'.repeat(25)}4`);
  });

  it('accepts only the canonical spelling', () => {
    expect(isToken(TOKEN)).toBe(true);
    expect(isToken(`${TOKEN.slice(0, 25)}Z`)).toBe(false); // spare bits set
    expect(isToken(TOKEN.toLowerCase())).toBe(false);
    expect(isToken(TOKEN.slice(1))).toBe(false);
    expect(isToken(`${TOKEN}A`)).toBe(false);
    expect(isToken(`${TOKEN.slice(0, 24)}1A`)).toBe(false); // 1 is not base32
    expect(isToken(`${TOKEN.slice(0, 24)}=A`)).toBe(false);
  });
});

describe('pickup payload', () => {
  it('round-trips', () => {
    const token = randomToken();
    const text = formatPickupPayload('kiosk_A-7', token);
    expect(text).toBe(`LKP1/kiosk_A-7/${token}`);
    expect(parsePickupPayload(text)).toEqual({ kioskId: 'kiosk_A-7', token });
  });

  it('uses the same kiosk id rule as the config', () => {
    expect(KIOSK_ID.source).toBe(KIOSK_ID_PATTERN);
  });

  it.each([
    ['', 'empty'],
    [`LKP1/kiosk-1/${TOKEN}/`, 'trailing slash'],
    [`LKP1/kiosk-1/${TOKEN}/x`, 'extra segment'],
    [`LKP1//${TOKEN}`, 'empty kiosk id'],
    [`LKP1/${'k'.repeat(65)}/${TOKEN}`, 'kiosk id too long'],
    [`LKP1/kiosk 1/${TOKEN}`, 'space in kiosk id'],
    [`LKP1/kiosk.1/${TOKEN}`, 'dot in kiosk id'],
    [`LKP1/kiosk-1/${TOKEN.toLowerCase()}`, 'lower-case token'],
    [`LKP1/kiosk-1/${TOKEN.slice(1)}`, 'short token'],
    [`LKP1/kiosk-1/${TOKEN}==`, 'padding'],
    [`LKP1/kiosk-1/`, 'no token'],
    [`LKP1/kiosk-1`, 'no token, no slash'],
    [`LKP2/kiosk-1/${TOKEN}`, 'unknown version'],
    [`lkp1/kiosk-1/${TOKEN}`, 'lower-case prefix'],
    [` LKP1/kiosk-1/${TOKEN}`, 'leading space'],
    [`LKB1/${TOKEN}`, 'a badge'],
  ])('rejects %j (%s)', (text) => {
    expect(parsePickupPayload(text)).toBeNull();
  });

  it('accepts the longest kiosk id', () => {
    const kioskId = 'k'.repeat(64);
    expect(parsePickupPayload(`LKP1/${kioskId}/${TOKEN}`)).toEqual({ kioskId, token: TOKEN });
  });

  it('refuses to format bad input', () => {
    expect(() => formatPickupPayload('a/b', TOKEN)).toThrow(RangeError);
    expect(() => formatPickupPayload('', TOKEN)).toThrow(RangeError);
    expect(() => formatPickupPayload('kiosk-1', '123456')).toThrow(RangeError);
  });
});

describe('badge', () => {
  it('round-trips', () => {
    const token = randomToken();
    expect(formatBadge(token)).toBe(`LKB1/${token}`);
    expect(parseBadge(formatBadge(token))).toEqual({ token });
  });

  it.each([
    '',
    'LKB1/',
    `LKB1/${TOKEN}/`,
    `LKB1/${TOKEN.toLowerCase()}`,
    `LKB1/${TOKEN.slice(2)}`,
    `LKB1/${TOKEN}A`,
    `LKB2/${TOKEN}`,
    `lkb1/${TOKEN}`,
    `LKB1/kiosk-1/${TOKEN}`,
    `LKP1/kiosk-1/${TOKEN}`,
  ])('rejects %j', (text) => {
    expect(parseBadge(text)).toBeNull();
  });

  it('refuses to format a bad token', () => {
    expect(() => formatBadge('not-a-token')).toThrow(RangeError);
  });
});
