/**
 * The front-desk signature (src/locker/desk-signature.ts): the checks a signature must pass, the
 * path codec (round trip, strict grammar, fuzzed), and the canonical record its hash is over,
 * recomputed here independently as docs/front-desk.md describes it.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalRecord, checkPath, checkStrokes, decodePath, encodePath, PAD, SIGNATURE_LIMITS, signatureHash, type Stroke } from '../../src/locker/desk-signature.js';
import { prng } from '../helpers/prng.js';
import type { Parcel } from '../../src/ledger/parcels.js';
import type { Signature } from '../../src/ledger/signatures.js';
import { buildProofOfDelivery } from '../../src/locker/proof-of-delivery.js';

const zigzag = (n = 20, x0 = 100): Stroke => Array.from({ length: n }, (_, i) => [x0 + i * 20, i % 2 === 0 ? 100 : 180] as [number, number]);

describe('a signature from the pad', () => {
  it('is encoded as one M per stroke and relative l moves, which decode back to the same strokes', () => {
    const strokes: Stroke[] = [[[10, 20], [13, 24], [13, 20]], [[500, 150]], zigzag(5)];
    const path = encodePath(strokes);
    expect(path).toBe('M10 20l3 4 0 -4M500 150M100 100l20 80 20 -80 20 80 20 -80');
    expect(decodePath(path)).toEqual({ ok: true, strokes });
    expect(checkStrokes(strokes)).toEqual({ ok: true, path, points: 9 });
  });

  it('refuses an empty, tiny, out-of-pad, fractional or oversized signature, saying why', () => {
    expect(checkStrokes([])).toEqual({ ok: false, reason: 'the signature is empty: the resident signs on the pad' });
    expect(checkStrokes('M1 1')).toMatchObject({ ok: false, reason: 'a signature is a list of strokes' });
    expect(checkStrokes([[]])).toMatchObject({ ok: false, reason: 'a stroke is a non-empty list of [x, y] points' });
    expect(checkStrokes([[[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6], [7, 7], [8, 8]]])).toMatchObject({ ok: false, reason: expect.stringContaining('too small') });
    expect(checkStrokes([zigzag(3)])).toMatchObject({ ok: false, reason: expect.stringContaining('too small') }); // 3 points, wide but a tap
    expect(checkStrokes([[...zigzag(), [PAD.width + 1, 0]]])).toMatchObject({ ok: false, reason: 'a point lies outside the 1000x300 pad' });
    expect(checkStrokes([[...zigzag(), [-1, 0]]])).toMatchObject({ ok: false, reason: 'a point lies outside the 1000x300 pad' });
    expect(checkStrokes([[...zigzag(), [1.5, 0]]])).toMatchObject({ ok: false, reason: "a point's coordinates are whole pad units" });
    expect(checkStrokes([[...zigzag(), ['1', 0]]])).toMatchObject({ ok: false });
    expect(checkStrokes([[...zigzag(), [1, 2, 3]]])).toMatchObject({ ok: false, reason: 'a point is [x, y]' });
    expect(checkStrokes(Array.from({ length: SIGNATURE_LIMITS.maxStrokes + 1 }, () => zigzag(2)))).toMatchObject({ ok: false, reason: expect.stringContaining('strokes') });
    const huge = Array.from({ length: 10 }, () => Array.from({ length: 500 }, (_, i) => [i % 1000, i % 300] as [number, number]));
    expect(checkStrokes(huge)).toMatchObject({ ok: false, reason: expect.stringContaining(`${SIGNATURE_LIMITS.maxPoints} points`) });
  });

  it('decodes only its own grammar', () => {
    for (const bad of ['', 'l1 1', 'M1', 'M1 1l', 'M1 1l1', 'M1  1', 'M01 1', 'M1 1l-0 1', 'M1 1l1 1l1 1', 'M-1 1', 'M1 1 ', ' M1 1', 'M1 1M', 'Z', 'M1,1', 'M1 1L1 1', 'M123456 1']) {
      expect(decodePath(bad).ok, JSON.stringify(bad)).toBe(false);
    }
    expect(decodePath(42)).toEqual({ ok: false, reason: 'a signature path is text' });
    expect(decodePath('M1 1'.padEnd(SIGNATURE_LIMITS.maxPathBytes + 1, ' '))).toMatchObject({ ok: false, reason: expect.stringContaining('characters') });
    // A path that walks off the pad decodes, and the checks refuse it.
    expect(checkPath('M990 100l20 0 0 10 0 10 0 10 0 10 0 10 0 10 0 10')).toMatchObject({ ok: false, reason: 'a point lies outside the 1000x300 pad' });
    expect(checkPath(encodePath([zigzag()]))).toMatchObject({ ok: true });
  });

  it('fuzzed: the decoder never throws, and whatever it accepts re-encodes to the same text', () => {
    const r = prng(11);
    const alphabet = 'Ml0123456789 -';
    let accepted = 0;
    for (let i = 0; i < 5_000; i++) {
      // Half mutations of a valid path, half random text of its alphabet.
      let text: string;
      if (i % 2 === 0) {
        const valid = encodePath([zigzag(2 + r.int(10), r.int(500))]);
        const chars = [...valid];
        for (let m = 0; m < 1 + r.int(3); m++) chars.splice(r.int(chars.length + 1), r.int(2), alphabet[r.int(alphabet.length)]!);
        text = chars.join('');
      } else {
        text = Array.from({ length: r.int(40) }, () => alphabet[r.int(alphabet.length)]).join('');
      }
      const decoded = decodePath(text);
      if (decoded.ok) {
        accepted++;
        expect(encodePath(decoded.strokes)).toBe(text);
      } else {
        expect(decoded.reason.length).toBeGreaterThan(0);
      }
      expect(() => checkPath(text)).not.toThrow();
    }
    expect(accepted).toBeGreaterThan(25);
  });
});

describe('the signed record', () => {
  const record = { desk: 'DESK', staffId: 'desk-ana', unit: '101', collector: null, at: Date.UTC(2026, 11, 1, 16, 0, 0, 5), parcels: ['b', 'a'], statement: 'I received the parcels listed.', path: 'M10 20l3 4' };

  it('is a JSON array in a fixed order, parcels sorted, the time in ISO 8601 UTC', () => {
    expect(canonicalRecord(record)).toBe('["lockerd-signature/1","DESK","desk-ana","101",null,"2026-12-01T16:00:00.005Z",["a","b"],"I received the parcels listed.","M10 20l3 4"]');
  });

  it('is hashed with SHA-256 over its UTF-8 text, as anyone can recompute', () => {
    const text = JSON.stringify(['lockerd-signature/1', 'DESK', 'desk-ana', '101', null, '2026-12-01T16:00:00.005Z', ['a', 'b'], 'I received the parcels listed.', 'M10 20l3 4']);
    expect(signatureHash(record)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    // Any part changed: another hash.
    expect(signatureHash({ ...record, collector: 'Sam' })).not.toBe(signatureHash(record));
    expect(signatureHash({ ...record, statement: `${record.statement} ` })).not.toBe(signatureHash(record));
    expect(signatureHash({ ...record, parcels: ['a', 'b'] })).toBe(signatureHash(record));
  });
});

describe('the signature in the proof of delivery', () => {
  const at = Date.UTC(2026, 11, 1, 16, 0, 0);
  const parcel: Parcel = {
    id: '01935c1e-7c2a-7000-8000-000000000001', unit: '101', size: 'M', compartmentId: 'DESK', state: 'picked_up', carrier: 'UPS', tracking: '1Z999AA10123456784',
    courierId: null, codeId: 1, reservedAt: at - 3_600_000, depositedAt: at - 3_600_000, expiresAt: at + 86_400_000, endedAt: at, direction: 'inbound', expiredAt: null,
    remindedThrough: null, placeId: 'D-2', pickupFlaggedAt: null, signatureId: 1, collector: 'Sam Lee',
  };
  const signed = { desk: 'DESK', staffId: 'desk-ana', unit: '101', collector: 'Sam Lee', at, parcels: [parcel.id], statement: 'I received the parcels listed.', path: 'M10 20l3 4' };
  const signature: Signature = { id: 1, ...signed, sha256: signatureHash(signed) };
  const proof = (s: Signature) => buildProofOfDelivery({ parcel, courier: undefined, parcelAudit: [], compartmentAudit: [], operations: [], signature: s });

  it('carries the signed record, the text hashed, and whether the stored hash still verifies', () => {
    const p = proof(signature);
    expect(p).toMatchObject({ placeId: 'D-2', collector: 'Sam Lee', signature: { id: 1, staffId: 'desk-ana', collector: 'Sam Lee', path: 'M10 20l3 4', pad: { width: 1000, height: 300 }, hashVerifies: true } });
    expect(createHash('sha256').update(p.signature!.canonical).digest('hex')).toBe(signature.sha256);
  });

  it('says so when the record no longer matches its hash (a statement edited after the fact)', () => {
    expect(proof({ ...signature, statement: 'I received nothing.' }).signature!.hashVerifies).toBe(false);
    expect(proof({ ...signature, parcels: ['01935c1e-7c2a-7000-8000-000000000002'] }).signature!.hashVerifies).toBe(false);
  });
});
