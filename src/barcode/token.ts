/**
 * Bearer tokens in lockerd's own barcodes: 128 random bits as 26 characters of RFC 4648 base32
 * (A-Z, 2-7), no padding. 128 bits cannot be guessed or derived from another parcel's token,
 * and the token is unrelated to the keypad code, so a photographed or logged QR reveals no code.
 * Only the canonical encoding is accepted (the last character's 2 spare bits are zero), so
 * each 128-bit value has exactly one spelling and tokens compare as plain strings.
 */

import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const TOKEN_LENGTH = 26;
const TOKEN_BYTES = 16;

// 26 symbols carry 130 bits: the last one holds 3 data bits and 2 zero bits, so it is one of
// the symbols whose value is a multiple of 4.
const TOKEN_PATTERN = /^[A-Z2-7]{25}[AEIMQUY4]$/;

export function isToken(s: string): boolean {
  return TOKEN_PATTERN.test(s);
}

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** A fresh token from the CSPRNG. The one helper here that is not pure. */
export function randomToken(): string {
  return base32Encode(randomBytes(TOKEN_BYTES));
}
