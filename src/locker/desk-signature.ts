/**
 * A resident's signature at the front desk: the strokes drawn on the screen's pad, checked and
 * kept as a compact vector path, and the SHA-256 over the record of what was signed. Pure: no
 * clock, no ledger. Format and hash are documented in docs/front-desk.md.
 *
 * Coordinates are integers in the pad's own space (PAD.width x PAD.height, origin top left),
 * whatever the size of the screen it was drawn on: the page scales its pointer positions to it.
 * The path is SVG path data, one `M x y` per stroke followed by the stroke's moves as relative
 * `l dx dy dx dy ...`: quantised and delta-encoded, a signature is a few hundred bytes, and any
 * SVG viewer draws it as it is (`<path d="..." fill="none" stroke="black"/>`).
 */
import { createHash } from 'node:crypto';

/** The pad's coordinate space. */
export const PAD = { width: 1000, height: 300 } as const;

/** What a signature must have, and may not exceed. */
export const SIGNATURE_LIMITS = {
  /** Fewer points than this is a tap, not a signature. */
  minPoints: 8,
  /** The drawing must span at least this much (the larger of its width and height, pad units). */
  minExtent: 40,
  maxStrokes: 64,
  maxPoints: 4000,
  /** The encoded path: bounded by maxPoints already; said so a decoder can refuse before parsing. */
  maxPathBytes: 32_768,
} as const;

/** One stroke: its points as [x, y] pairs, in pad units. */
export type Stroke = [number, number][];

export type SignatureCheck = { ok: true; path: string; points: number } | { ok: false; reason: string };

/**
 * Checks strokes (from the page's message or a decoded path) and encodes them. Refuses, saying
 * why, anything empty, tiny, out of the pad, not integers, or too big.
 */
export function checkStrokes(strokes: unknown): SignatureCheck {
  if (!Array.isArray(strokes)) return { ok: false, reason: 'a signature is a list of strokes' };
  if (strokes.length === 0) return { ok: false, reason: 'the signature is empty: the resident signs on the pad' };
  if (strokes.length > SIGNATURE_LIMITS.maxStrokes) return { ok: false, reason: `the signature has ${strokes.length} strokes, more than the ${SIGNATURE_LIMITS.maxStrokes} a signature may` };
  let points = 0;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const stroke of strokes) {
    if (!Array.isArray(stroke) || stroke.length === 0) return { ok: false, reason: 'a stroke is a non-empty list of [x, y] points' };
    points += stroke.length;
    if (points > SIGNATURE_LIMITS.maxPoints) return { ok: false, reason: `the signature has more than the ${SIGNATURE_LIMITS.maxPoints} points a signature may` };
    for (const p of stroke) {
      if (!Array.isArray(p) || p.length !== 2) return { ok: false, reason: 'a point is [x, y]' };
      const [x, y] = p as unknown[];
      if (!Number.isInteger(x) || !Number.isInteger(y)) return { ok: false, reason: 'a point\'s coordinates are whole pad units' };
      if ((x as number) < 0 || (x as number) > PAD.width || (y as number) < 0 || (y as number) > PAD.height) return { ok: false, reason: `a point lies outside the ${PAD.width}x${PAD.height} pad` };
      minX = Math.min(minX, x as number);
      maxX = Math.max(maxX, x as number);
      minY = Math.min(minY, y as number);
      maxY = Math.max(maxY, y as number);
    }
  }
  if (points < SIGNATURE_LIMITS.minPoints || Math.max(maxX - minX, maxY - minY) < SIGNATURE_LIMITS.minExtent) {
    return { ok: false, reason: 'the signature is too small to be one: the resident signs across the pad' };
  }
  return { ok: true, path: encodePath(strokes as Stroke[]), points };
}

/** Strokes → `M x y l dx dy ...` per stroke (the canonical form: one space between numbers). */
export function encodePath(strokes: readonly Stroke[]): string {
  return strokes
    .map((s) => {
      const [x0, y0] = s[0]!;
      let out = `M${x0} ${y0}`;
      const deltas: number[] = [];
      for (let i = 1; i < s.length; i++) deltas.push(s[i]![0] - s[i - 1]![0], s[i]![1] - s[i - 1]![1]);
      if (deltas.length > 0) out += `l${deltas.join(' ')}`;
      return out;
    })
    .join('');
}

export type PathDecode = { ok: true; strokes: Stroke[] } | { ok: false; reason: string };

/**
 * The inverse of encodePath, strict: exactly that grammar (`M`/`l`, integers, single spaces), so a
 * path decodes to the strokes that re-encode to it. Bounded before it parses (length, points).
 */
export function decodePath(path: unknown): PathDecode {
  if (typeof path !== 'string') return { ok: false, reason: 'a signature path is text' };
  if (path.length === 0) return { ok: false, reason: 'the signature is empty: the resident signs on the pad' };
  if (path.length > SIGNATURE_LIMITS.maxPathBytes) return { ok: false, reason: `the signature path is ${path.length} characters, more than the ${SIGNATURE_LIMITS.maxPathBytes} a signature may` };
  if (!/^[Ml0-9 -]+$/.test(path)) return { ok: false, reason: 'a signature path has only M, l, digits, minus signs and spaces' };
  if (!path.startsWith('M')) return { ok: false, reason: 'a signature path starts with "M"' };
  const strokes: Stroke[] = [];
  let points = 0;
  // Each stroke: "M" x " " y, then optionally "l" and pairs of signed integers separated by single spaces.
  for (const part of path.split('M').slice(1)) {
    if (part === '') return { ok: false, reason: 'a stroke of the path has no point' };
    const [start, moves, extra] = part.split('l');
    if (extra !== undefined || moves === '') return { ok: false, reason: 'a stroke of the path has one "l" followed by its moves' };
    const xy = start!.split(' ');
    if (xy.length !== 2 || !xy.every((n) => /^(0|[1-9][0-9]{0,4})$/.test(n))) return { ok: false, reason: 'a stroke starts with "M x y", two whole numbers' };
    let x = Number(xy[0]);
    let y = Number(xy[1]);
    const stroke: Stroke = [[x, y]];
    if (moves !== undefined) {
      const d = moves.split(' ');
      if (d.length % 2 !== 0 || !d.every((n) => /^(0|-?[1-9][0-9]{0,4})$/.test(n))) return { ok: false, reason: 'a stroke\'s moves are pairs of whole numbers' };
      for (let i = 0; i < d.length; i += 2) {
        x += Number(d[i]);
        y += Number(d[i + 1]);
        stroke.push([x, y]);
      }
    }
    points += stroke.length;
    if (points > SIGNATURE_LIMITS.maxPoints) return { ok: false, reason: `the signature has more than the ${SIGNATURE_LIMITS.maxPoints} points a signature may` };
    strokes.push(stroke);
  }
  return { ok: true, strokes };
}

/** A path keyed by a technician or a test (`lockerctl sim sign`): decoded, then the same checks as the pad's. */
export function checkPath(path: unknown): SignatureCheck {
  const decoded = decodePath(path);
  if (!decoded.ok) return decoded;
  return checkStrokes(decoded.strokes);
}

/** What a signature is signed over: who, when, which parcels, the statement, the path. */
export interface SignedRecord {
  desk: string;
  staffId: string;
  unit: string;
  collector: string | null;
  /** Milliseconds since the epoch. */
  at: number;
  parcels: readonly string[];
  statement: string;
  path: string;
}

/** The version tag that opens every canonical record: a later format gets a new one. */
export const CANONICAL_TAG = 'lockerd-signature/1';

/**
 * The canonical form: a JSON array in a fixed order (no key order to agree on), the time as
 * ISO 8601 UTC with milliseconds, the parcels sorted. JSON.stringify of it, UTF-8, is hashed.
 */
export function canonicalRecord(r: SignedRecord): string {
  return JSON.stringify([CANONICAL_TAG, r.desk, r.staffId, r.unit, r.collector, new Date(r.at).toISOString(), [...r.parcels].sort(), r.statement, r.path]);
}

export function signatureHash(r: SignedRecord): string {
  return createHash('sha256').update(canonicalRecord(r), 'utf8').digest('hex');
}
