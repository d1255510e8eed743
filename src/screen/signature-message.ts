/**
 * The screen's signature message (POST /signature): `{"strokes": [[[x, y], ...], ...]}`, read
 * within a byte bound before it is parsed. This only checks its shape; what a signature must be
 * (points inside the pad, not empty, not too big) is the desk's to judge (src/locker/desk-signature.ts),
 * the same for the pad and for `lockerctl sim sign`.
 */

/** A signature of the pad's most points (4000) as JSON is well under this. */
export const MAX_SIGNATURE_BODY = 64 * 1024;

export type SignatureMessage = { ok: true; strokes: unknown[] } | { ok: false; reason: string };

export function parseSignatureMessage(body: string): SignatureMessage {
  if (body.length > MAX_SIGNATURE_BODY) return { ok: false, reason: `signature request too long: at most ${MAX_SIGNATURE_BODY} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'signature request is not JSON: send {"strokes":[[[x,y],...],...]}' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'signature request is not an object: send {"strokes":[[[x,y],...],...]}' };
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== 'strokes') return { ok: false, reason: 'a signature request has exactly one member, "strokes"' };
  const strokes = (parsed as { strokes: unknown }).strokes;
  if (!Array.isArray(strokes)) return { ok: false, reason: '"strokes" is a list of strokes' };
  return { ok: true, strokes };
}
