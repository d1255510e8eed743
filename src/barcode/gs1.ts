/**
 * GS1 element strings as scanners deliver them: application identifier (AI) + data, with FNC1
 * sent as GS (0x1D) after every variable-length field that is not last. Only the AIs a parcel
 * locker meets are known; parsing stops at the first unknown AI and reports the rest.
 *
 * USPS IMpb (GS1-128): `420` + destination ZIP (5 or 9 digits) + GS + the tracking number
 * (`91`..`95` + 20 or 24 digits). In GS1 terms the tracking number is a company-internal
 * element (AI 91-99), which is why it needs no AI table entry of its own here.
 */

import { isValidUspsNumber } from './carriers.js';

export const GS = '\u001d';

export interface Gs1Element {
  ai: string;
  value: string;
}

export interface Gs1Parse {
  elements: Gs1Element[];
  /** What could not be parsed (an unknown AI or a malformed field); '' when all was read. */
  rest: string;
}

interface AiSpec {
  /** Fixed data length, or undefined for a variable one ended by GS or the end of the data. */
  fixed?: number;
  max: number;
  numeric: boolean;
}

const AI_TABLE: ReadonlyMap<string, AiSpec> = new Map<string, AiSpec>([
  ['00', { fixed: 18, max: 18, numeric: true }], // SSCC
  ['01', { fixed: 14, max: 14, numeric: true }], // GTIN of a trade item
  ['02', { fixed: 14, max: 14, numeric: true }], // GTIN of contained items
  ['10', { max: 20, numeric: false }], // batch/lot
  ['21', { max: 20, numeric: false }], // serial number
  ['400', { max: 30, numeric: false }], // customer's purchase order
  ['401', { max: 30, numeric: false }], // consignment number (GINC)
  ['403', { max: 30, numeric: false }], // routing code
  ['420', { max: 20, numeric: false }], // ship-to postal code, same country
  ['421', { max: 12, numeric: false }], // ship-to postal code with ISO 3166 numeric country
  // 91-99: company internal information, where USPS (and others) put tracking numbers.
  ...['91', '92', '93', '94', '95', '96', '97', '98', '99'].map((ai) => [ai, { max: 90, numeric: false }] as [string, AiSpec]),
]);

// GS1 data are printable ASCII; anything else means this is not an element string.
const GS1_CHARS = /^[\x21-\x7e]+$/;

function findAi(text: string, at: number): string | undefined {
  for (const len of [2, 3, 4]) {
    const ai = text.slice(at, at + len);
    if (ai.length === len && AI_TABLE.has(ai)) return ai;
  }
  return undefined;
}

/** A leading GS is FNC1 in first position, sent by some scanners instead of an AIM id. */
function dropLeadingFnc1(text: string): string {
  return text.startsWith(GS) ? text.slice(1) : text;
}

export function parseGs1(text: string): Gs1Parse {
  const t = dropLeadingFnc1(text);
  const elements: Gs1Element[] = [];
  let i = 0;
  while (i < t.length) {
    if (t[i] === GS) {
      i++;
      continue;
    }
    const ai = findAi(t, i);
    const spec = ai === undefined ? undefined : AI_TABLE.get(ai);
    if (ai === undefined || spec === undefined) break;
    const start = i + ai.length;
    let end: number;
    if (spec.fixed !== undefined) {
      end = start + spec.fixed;
    } else {
      const gs = t.indexOf(GS, start);
      end = gs < 0 ? t.length : gs;
    }
    const value = t.slice(start, end);
    const fits = spec.fixed !== undefined ? value.length === spec.fixed : value.length >= 1 && value.length <= spec.max;
    if (!fits || !GS1_CHARS.test(value) || (spec.numeric && !/^\d+$/.test(value))) break;
    elements.push({ ai, value });
    i = end;
  }
  return { elements, rest: t.slice(i) };
}

export interface ImpbReading {
  /** Destination postal code from AI 420 (or 421, after its country). */
  postalCode: string;
  /** ISO 3166 numeric country, from AI 421 only. */
  country?: string;
  /** The tracking number printed under the barcode: the data after the postal code. */
  tracking: string;
  valid: boolean;
}

/** 22 or 26 digits starting 91-95: shaped like an IMpb tracking number whatever its check digit. */
const IMPB_SHAPE = /^9[1-5]\d{20}(\d{4})?$/;

function byPreference(a: ImpbReading, b: ImpbReading): number {
  // 22 digits is the usual IMpb length; 26 comes second; a bare 20-digit reading last.
  const rank = (r: ImpbReading): number => (r.tracking.length === 22 ? 0 : r.tracking.length === 26 ? 1 : 2);
  return rank(a) - rank(b);
}

/** With GS present the postal code ends at the GS, so no guessing is needed. */
function readDelimited(t: string): ImpbReading | null {
  const [first = '', second = ''] = t.split(GS).filter((part) => part.length > 0);
  let postalCode: string;
  let country: string | undefined;
  const m420 = /^420([\x21-\x7e]{1,20})$/.exec(first);
  const m421 = /^421(\d{3})([\x21-\x7e]{1,9})$/.exec(first);
  if (m420?.[1] !== undefined) postalCode = m420[1];
  else if (m421?.[1] !== undefined && m421[2] !== undefined) {
    country = m421[1];
    postalCode = m421[2];
  } else return null;
  if (!(IMPB_SHAPE.test(second) || /^\d{20}$/.test(second))) return null;
  const reading: ImpbReading = { postalCode, tracking: second, valid: isValidUspsNumber(second) };
  if (country !== undefined) reading.country = country;
  return reading;
}

/**
 * Without GS (the scanner dropped FNC1, or the number was keyed in) the postal code's length is
 * unknown: try 5 and 9-digit ZIPs (and the 421 form with a 5 or 9-digit postal code) and keep
 * the reading whose remainder passes its check digit.
 */
function readUndelimited(t: string): ImpbReading | null {
  if (!/^42[01]\d+$/.test(t)) return null;
  const readings: ImpbReading[] = [];
  for (const postalLength of [5, 9]) {
    if (t.startsWith('420')) {
      readings.push({
        postalCode: t.slice(3, 3 + postalLength),
        tracking: t.slice(3 + postalLength),
        valid: false,
      });
    } else {
      readings.push({
        postalCode: t.slice(6, 6 + postalLength),
        country: t.slice(3, 6),
        tracking: t.slice(6 + postalLength),
        valid: false,
      });
    }
  }
  const plausible = readings.filter((r) => IMPB_SHAPE.test(r.tracking) || /^\d{20}$/.test(r.tracking));
  for (const r of plausible) r.valid = isValidUspsNumber(r.tracking);
  const valid = plausible.filter((r) => r.valid).sort(byPreference);
  if (valid[0] !== undefined) return valid[0];
  // Shaped like IMpb but no reading checks out: a misread USPS label, worth a "scan again".
  return plausible.filter((r) => IMPB_SHAPE.test(r.tracking)).sort(byPreference)[0] ?? null;
}

/** The USPS tracking number inside a `420`/`421` GS1 string, or null when there is none. */
export function readImpb(text: string): ImpbReading | null {
  const t = dropLeadingFnc1(text);
  return t.includes(GS) ? readDelimited(t) : readUndelimited(t);
}
