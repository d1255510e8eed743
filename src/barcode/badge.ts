/**
 * Courier badge barcode: `LKB1/<token>`, the token in the same format as pickup tokens. The
 * badge identifies a courier account by a random bearer value that upstream issues and can
 * revoke; it carries no PIN and no name.
 */

import { isToken } from './token.js';

export const BADGE_PREFIX = 'LKB1/';

export interface Badge {
  token: string;
}

export function parseBadge(text: string): Badge | null {
  if (!text.startsWith(BADGE_PREFIX)) return null;
  const token = text.slice(BADGE_PREFIX.length);
  return isToken(token) ? { token } : null;
}

/** Throws on a bad token: a programming error on the issuing side. */
export function formatBadge(token: string): string {
  if (!isToken(token)) throw new RangeError('token must be 26 characters of canonical base32');
  return `${BADGE_PREFIX}${token}`;
}
