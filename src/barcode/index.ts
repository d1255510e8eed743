/**
 * parseScan: one scanner read in, one classification out. Pure (no I/O), total (never throws,
 * whatever the input), and bounded (the input is capped before anything else looks at it).
 *
 * Order: refuse over-long or control-character scans; strip the AIM id; lockerd's own pickup
 * and badge codes; UPS MaxiCode; GS1 (USPS `420`/`421` IMpb, SSCC); carrier formats; any other
 * plausible tracking number (regional carriers exist); else unknown.
 */

import { isGs1Symbology, isProductSymbology, stripAim } from './aim.js';
import { parseBadge } from './badge.js';
import { matchCarrier, normaliseTracking, type CarrierName } from './carriers.js';
import { endsWithCheckDigit, gs1CheckDigit, upsCheckDigit } from './checkdigits.js';
import { GS, parseGs1, readImpb } from './gs1.js';
import { isMaxiCodeMessage, readMaxiCode } from './maxicode.js';
import { parsePickupPayload } from './pickup.js';
import { checkScanText, DEFAULT_MAX_SCAN_LENGTH, EXCERPT_MAX, logExcerpt } from './scan-text.js';

export { stripAim } from './aim.js';
export { formatBadge, parseBadge } from './badge.js';
export { matchCarrier, normaliseTracking } from './carriers.js';
export { parseGs1, readImpb } from './gs1.js';
export { readMaxiCode } from './maxicode.js';
export { formatPickupPayload, parsePickupPayload } from './pickup.js';
export { randomToken } from './token.js';
export type { CarrierName } from './carriers.js';

export type ScanKind = 'parcel' | 'pickup' | 'badge' | 'unknown' | 'refused';
export const SCAN_KINDS: readonly ScanKind[] = ['parcel', 'pickup', 'badge', 'unknown', 'refused'];

export interface ScanResult {
  kind: ScanKind;
  carrier?: CarrierName | 'unknown';
  /** Normalised tracking number (A-Z0-9), for kind 'parcel'. */
  tracking?: string;
  valid: boolean;
  /** AIM symbology identifier, e.g. `]C1`, when the scanner sent one. */
  symbology?: string;
  pickup?: { kioskId: string; token: string };
  badge?: { token: string };
  /** Why a scan was refused, invalid or not understood; worded for the courier screen. */
  reason?: string;
  /** Refused scans only: the scan's length and a log-safe excerpt (see describeScanForLog). */
  length?: number;
  excerpt?: string;
}

export interface ParseScanOptions {
  /** Longest scan accepted, in UTF-16 code units; default 512. */
  maxLength?: number;
}

export const CHECK_DIGIT_REASON = 'check digit does not match: scan again or key it in';
/** Only ever returned if the parser has a bug; the fuzz test checks it never is. */
export const INTERNAL_ERROR_REASON = 'scan could not be read';

const PLAUSIBLE_TRACKING = /^[A-Z0-9]{8,40}$/;

function parcel(
  carrier: CarrierName | 'unknown',
  tracking: string,
  valid: boolean,
  symbology: string | undefined,
): ScanResult {
  const result: ScanResult = { kind: 'parcel', carrier, tracking, valid };
  if (symbology !== undefined) result.symbology = symbology;
  if (!valid) result.reason = CHECK_DIGIT_REASON;
  return result;
}

function unknown(reason: string, symbology: string | undefined): ScanResult {
  const result: ScanResult = { kind: 'unknown', valid: false, reason };
  if (symbology !== undefined) result.symbology = symbology;
  return result;
}

/**
 * GS1 strings that are not USPS IMpb: an SSCC is a parcel id, a postal code or GTIN alone is
 * the wrong barcode. Null when none applies: a lone company-internal element (AI 91-99, e.g.
 * FedEx's `96...` or a USPS `94...` sent with FNC1) is a carrier number for the carrier rules.
 */
function classifyGs1(text: string, symbology: string | undefined): ScanResult | null {
  const { elements } = parseGs1(text);
  const sscc = elements.find((e) => e.ai === '00');
  if (sscc) return parcel('unknown', sscc.value, endsWithCheckDigit(sscc.value, gs1CheckDigit), symbology);
  if (elements.some((e) => e.ai === '420' || e.ai === '421')) {
    return unknown('this is the ship-to postal code barcode: scan the tracking number barcode', symbology);
  }
  if (elements.some((e) => e.ai === '01' || e.ai === '02')) {
    return unknown('this is a product barcode, not a shipping label', symbology);
  }
  return null;
}

function classify(text: string, symbology: string | undefined): ScanResult {
  if (text.length === 0) return unknown('empty scan', symbology);

  const pickup = parsePickupPayload(text);
  if (pickup) {
    const result: ScanResult = { kind: 'pickup', valid: true, pickup };
    if (symbology !== undefined) result.symbology = symbology;
    return result;
  }
  const badge = parseBadge(text);
  if (badge) {
    const result: ScanResult = { kind: 'badge', valid: true, badge };
    if (symbology !== undefined) result.symbology = symbology;
    return result;
  }
  // Never let a damaged locker code fall through to "parcel" with its token as a tracking number.
  if (/^LK[A-Z0-9]{1,2}\//i.test(text)) return unknown('damaged or unsupported locker code', symbology);

  if (isMaxiCodeMessage(text)) {
    const maxi = readMaxiCode(text);
    if (maxi?.tracking === undefined) {
      return unknown('MaxiCode without a UPS tracking number: scan the 1Z barcode', symbology);
    }
    return parcel('UPS', maxi.tracking, endsWithCheckDigit(maxi.tracking.slice(2), upsCheckDigit), symbology);
  }

  // GS1: a GS in the data or a GS1 symbology identifier says so; a long all-digit `420`/`421`
  // string is IMpb read without its FNC1 (or keyed in) and is tried too.
  const hasGs = text.includes(GS);
  const gs1Symbology = isGs1Symbology(symbology);
  if (hasGs || gs1Symbology || /^42[01]\d{20,}$/.test(text)) {
    const impb = readImpb(text);
    if (impb) return parcel('USPS', impb.tracking, impb.valid, symbology);
    const gs1 = hasGs || gs1Symbology ? classifyGs1(text, symbology) : null;
    if (gs1) return gs1;
  }

  if (isProductSymbology(symbology)) return unknown('this is a product barcode, not a shipping label', symbology);

  // A leading GS is FNC1 in first position, not data.
  const normalised = normaliseTracking(text.startsWith(GS) ? text.slice(1) : text);
  if (normalised === null) return unknown('not a tracking number or locker code', symbology);
  const match = matchCarrier(normalised);
  if (match) return parcel(match.carrier, match.tracking, match.valid, symbology);
  if (PLAUSIBLE_TRACKING.test(normalised)) return parcel('unknown', normalised, true, symbology);
  return unknown('not a tracking number or locker code', symbology);
}

export function parseScan(raw: string, opts?: ParseScanOptions): ScanResult {
  try {
    const requested = opts?.maxLength;
    const maxLength = requested !== undefined && Number.isFinite(requested) && requested >= 0 ? requested : DEFAULT_MAX_SCAN_LENGTH;
    const input = typeof raw === 'string' ? raw : String(raw);
    const checked = checkScanText(input, maxLength);
    if (!checked.ok) {
      return { kind: 'refused', valid: false, reason: checked.reason, length: input.length, excerpt: logExcerpt(input) };
    }
    const { symbology, text } = stripAim(checked.text);
    return classify(text, symbology);
  } catch {
    // Unreachable by design (the fuzz test checks); kept so a parser bug can never crash the daemon.
    return { kind: 'unknown', valid: false, reason: INTERNAL_ERROR_REASON };
  }
}

/** parseScan's excerpt is already safe; anything else (a hand-built result) is re-derived. */
function safeExcerpt(excerpt: string): string {
  const safe =
    excerpt.length <= EXCERPT_MAX && /^[\x20-\x7e]*$/.test(excerpt) && !/[A-Z2-7]{10,}/i.test(excerpt) && !/LK[PB]1\/(?!\[redacted\]|$)/i.test(excerpt);
  return safe ? excerpt : logExcerpt(excerpt);
}

export interface ScanLogSummary {
  kind: ScanKind;
  carrier?: string;
  tracking?: string;
  valid?: boolean;
  symbology?: string;
  kioskId?: string;
  reason?: string;
  length?: number;
  excerpt?: string;
}

/**
 * What may be logged about a scan: never a pickup or badge token (they are bearer secrets),
 * and for refused scans only their length and a short escaped excerpt.
 */
export function describeScanForLog(result: ScanResult): ScanLogSummary {
  switch (result.kind) {
    case 'pickup':
      return { kind: 'pickup', ...(result.pickup ? { kioskId: result.pickup.kioskId } : {}) };
    case 'badge':
      return { kind: 'badge' };
    case 'refused':
      return {
        kind: 'refused',
        ...(result.reason !== undefined ? { reason: result.reason } : {}),
        length: result.length ?? 0,
        excerpt: safeExcerpt(result.excerpt ?? ''),
      };
    case 'parcel': {
      const summary: ScanLogSummary = { kind: 'parcel', valid: result.valid };
      if (result.carrier !== undefined) summary.carrier = result.carrier;
      if (result.tracking !== undefined) summary.tracking = result.tracking;
      if (result.symbology !== undefined) summary.symbology = result.symbology;
      if (result.reason !== undefined) summary.reason = result.reason;
      return summary;
    }
    default: {
      const summary: ScanLogSummary = { kind: 'unknown' };
      if (result.symbology !== undefined) summary.symbology = result.symbology;
      if (result.reason !== undefined) summary.reason = result.reason;
      return summary;
    }
  }
}
