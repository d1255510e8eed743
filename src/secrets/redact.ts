/**
 * The one place that knows what a credential looks like: retrieval codes, pickup QR texts and
 * tokens, courier badges and PINs, key material. Everything lockerd shows or writes outside the
 * ledger (control-socket answers, log lines, MQTT acks) passes through `redactCredentials`, so a
 * credential that slipped into a message is hidden there rather than by a special case per field.
 * Showing one on purpose is `reveal()`: only a handler that audits the reveal does it.
 */

/** Field names whose value is a credential wherever they appear, at any depth (compared ignoring case). */
export const CREDENTIAL_FIELDS = ['code', 'pickupQr', 'qrToken', 'badge', 'badgeToken', 'token', 'pin', 'secret', 'password', 'passphrase', 'privateKey'] as const;

/** What the control socket puts in place of a credential. */
export const HIDDEN = '[hidden]';

const FIELDS = new Set<string>(CREDENTIAL_FIELDS.map((f) => f.toLowerCase()));

// lockerd's own barcodes (PICKUP_PREFIX `LKP1/<kiosk>/<token>`, BADGE_PREFIX `LKB1/<token>`)
// anywhere in a text, in any case, whatever follows the prefix (a damaged or truncated one still
// carries most of a token), after an AIM symbology id too. Any `LK<1-2 letters or digits>/` counts,
// so a later version of either is hidden as well; not after a letter (`bulk1/` is a word).
const SHAPED = /(?<![A-Z])LK([A-Z0-9]{1,2})\/[^\s"'<>\\]*/gi;

/**
 * `code` is also the name Node, SQLite and MQTT give an error's code (`ENOENT`, `SQLITE_BUSY`,
 * `ERR_...`, a CONNACK reason number): those say what went wrong and are no credential.
 */
function isErrorCode(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value < 1000;
  return typeof value === 'string' && /^(E[A-Z0-9]{2,}|ERR_[A-Z0-9_]+|SQLITE_[A-Z0-9_]+)$/.test(value);
}

/**
 * True for a value that is no credential itself: null, a boolean (`badge: true` says only that
 * there is one), and an object or array, which is walked like any other (a credential is a
 * string or a number: `{ code: { waitMs } }` is the throttle's status for codes, not a code).
 */
function notACredential(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'boolean' || typeof value === 'object';
}

const MAX_DEPTH = 64;

interface Walk {
  censor: string;
  hidden: number;
}

function walk(value: unknown, w: Walk, depth: number): unknown {
  if (typeof value === 'string') {
    return value.replace(SHAPED, (m: string, version: string) => {
      w.hidden++;
      return `${m.slice(0, 2)}${version}/${w.censor}`;
    });
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) {
    w.hidden++;
    return w.censor;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = walk(v, w, depth + 1);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  // Dates and Buffers serialise through toJSON and hold no text of ours; any other object is
  // walked as JSON.stringify would write it (its own enumerable fields).
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    let r: unknown;
    if (FIELDS.has(k.toLowerCase()) && !notACredential(v) && !(k.toLowerCase() === 'code' && isErrorCode(v))) {
      w.hidden++;
      r = w.censor;
    } else {
      r = walk(v, w, depth + 1);
    }
    if (r !== v) {
      out ??= { ...(value as Record<string, unknown>) };
      out[k] = r;
    }
  }
  return out ?? value;
}

/**
 * A copy of `value` with every credential replaced by `censor`: the value of any field named in
 * CREDENTIAL_FIELDS, at any depth, and every `LKP1/...` or `LKB1/...` text inside any string.
 * Returns `value` itself when there was nothing to hide. Pure; never throws on JSON-like data.
 */
export function redactCredentials<T>(value: T, censor: string = HIDDEN): T {
  return walk(value, { censor, hidden: 0 }, 0) as T;
}

/** Whether `value` holds anything `redactCredentials` would hide. */
export function containsCredentials(value: unknown): boolean {
  const w = { censor: HIDDEN, hidden: 0 };
  walk(value, w, 0);
  return w.hidden > 0;
}

/** A value that is to be shown with its credentials: see `reveal`. */
export class Revealed<T = unknown> {
  constructor(readonly value: T) {}
}

/**
 * Marks a control-socket answer to be sent with its credentials. The caller must have audited the
 * reveal first (which events, who asked): the control server redacts everything else.
 */
export function reveal<T>(value: T): Revealed<T> {
  return new Revealed(value);
}

/** What may leave the process: the revealed value as it is, anything else redacted. */
export function shown(value: unknown): unknown {
  return value instanceof Revealed ? value.value : redactCredentials(value);
}
