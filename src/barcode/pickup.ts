/**
 * Pickup QR payload, issued by lockerd with each retrieval code and sent upstream to the
 * resident: `LKP1/<kioskId>/<token>`. The kiosk id lets a kiosk tell "this QR is for another
 * locker" from "this QR is unknown"; the token is a random bearer value, never the keypad code.
 */

import { isToken } from './token.js';

export const PICKUP_PREFIX = 'LKP1/';

/** Same rule as the config's kioskId (src/config/schema.ts KIOSK_ID_PATTERN); a test ties them. */
export const KIOSK_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface PickupPayload {
  kioskId: string;
  token: string;
}

export function parsePickupPayload(text: string): PickupPayload | null {
  if (!text.startsWith(PICKUP_PREFIX)) return null;
  const parts = text.slice(PICKUP_PREFIX.length).split('/');
  if (parts.length !== 2) return null;
  const [kioskId = '', token = ''] = parts;
  if (!KIOSK_ID.test(kioskId) || !isToken(token)) return null;
  return { kioskId, token };
}

/** Throws on a bad kiosk id or token: those are programming errors on the issuing side. */
export function formatPickupPayload(kioskId: string, token: string): string {
  if (!KIOSK_ID.test(kioskId)) throw new RangeError('kioskId must match ^[A-Za-z0-9_-]{1,64}$');
  if (!isToken(token)) throw new RangeError('token must be 26 characters of canonical base32');
  return `${PICKUP_PREFIX}${kioskId}/${token}`;
}
