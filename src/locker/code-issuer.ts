import { formatPickupPayload, randomToken } from '../barcode/index.js';
import type { Ledger } from '../ledger/ledger.js';
import { generateUniqueCode } from './retrieval-code.js';

export interface IssuedCode {
  codeId: number;
  /** The keypad code, in plaintext only here and in the outbox event that carries it upstream. */
  code: string;
  /** The QR text for the scanner: a separate random token, so a logged QR never reveals the code. */
  pickupQr: string;
}

/**
 * Issues a new live retrieval code for a unit, stored only as keyed hashes (code and QR token).
 * Must run inside the ledger transaction that uses it.
 */
export function issueCode(ledger: Ledger, unit: string, at: number, length: number, kioskId: string, random?: (max: number) => number): IssuedCode {
  const code = generateUniqueCode(length, (c) => ledger.codes.isLive(ledger.hasher.hash('code', c)), random);
  const token = randomToken();
  const codeId = ledger.codes.insert(unit, ledger.hasher.hash('code', code), at, ledger.hasher.hash('token', token));
  return { codeId, code, pickupQr: formatPickupPayload(kioskId, token) };
}
