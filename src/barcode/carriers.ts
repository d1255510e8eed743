/**
 * Carrier tracking-number formats: recognition and check-digit validation. Input is a
 * normalised string (see normaliseTracking). Detection is a hint for the courier screen and the
 * ledger, never proof of who the parcel is for.
 *
 * Two kinds of rule:
 * - distinctive: the shape alone names the carrier (`1Z...`, `TBA...`, an S10 with a real
 *   country code, 22/26 digits starting 91-95, 22 digits starting 96, FedEx's 34 digits). A
 *   wrong check digit there means a misread or a typo: the result says so (valid: false).
 * - length-only: a bare run of 10, 12, 15 or 20 digits. Regional carriers use such lengths too,
 *   so a failed check digit only means "not this carrier": no match, and the caller treats the
 *   number as a parcel of an unknown carrier rather than refusing the courier's label.
 */

import {
  endsWithCheckDigit,
  fedexExpressCheckDigit,
  gs1CheckDigit,
  mod7CheckDigit,
  s10CheckDigit,
  upsCheckDigit,
} from './checkdigits.js';
import { isIsoCountryCode } from './countries.js';

export type CarrierName = 'UPS' | 'FedEx' | 'USPS' | 'DHL' | 'Amazon' | 'UPU';

export interface CarrierMatch {
  carrier: CarrierName;
  /** Which format matched, for diagnostics (e.g. `fedex-ground-96`). */
  format: string;
  /** The number to record and show: for FedEx 22/34-digit barcodes, the embedded tracking number. */
  tracking: string;
  valid: boolean;
}

/**
 * Spaces and dashes removed, upper case; null unless what is left is 1+ characters of A-Z0-9.
 * Keyed-in and printed numbers come grouped ("9400 1112 ...", "1z 879e ...").
 */
export function normaliseTracking(text: string): string | null {
  const s = text.replace(/[ -]/g, '');
  // Checked before upper-casing: toUpperCase turns some non-ASCII letters into ASCII (ß -> SS).
  return /^[A-Za-z0-9]+$/.test(s) ? s.toUpperCase() : null;
}

interface Rule {
  format: string;
  carrier: CarrierName;
  distinctive: boolean;
  pattern: RegExp;
  /** Called only when `pattern` matches; null means "not this format after all". */
  check(s: string): { valid: boolean; tracking: string; carrier?: CarrierName } | null;
}

/** USPS 20, 22 and 26-digit numbers (IMpb and older), all GS1 mod 10. */
export function isValidUspsNumber(digits: string): boolean {
  if (/^9[1-5]\d{20}(\d{4})?$/.test(digits)) return endsWithCheckDigit(digits, gs1CheckDigit);
  if (/^\d{20}$/.test(digits)) {
    // The 20-digit form is sometimes a 22-digit `91` number printed without its `91`
    // (tracking_number_data's "USPS 91" rule), so the check digit may count an implied 91.
    return endsWithCheckDigit(digits, gs1CheckDigit) || endsWithCheckDigit(`91${digits}`, gs1CheckDigit);
  }
  return false;
}

const RULES: readonly Rule[] = [
  {
    format: 'ups-1z',
    carrier: 'UPS',
    distinctive: true,
    pattern: /^1Z[A-Z0-9]{16}$/,
    check: (s) => ({ valid: endsWithCheckDigit(s.slice(2), upsCheckDigit), tracking: s }),
  },
  {
    // Amazon Logistics: no check digit exists, so the shape is all there is to check.
    format: 'amazon-tb',
    carrier: 'Amazon',
    distinctive: true,
    pattern: /^TB[ACM]\d{12}$/,
    check: (s) => ({ valid: true, tracking: s }),
  },
  {
    format: 'upu-s10',
    carrier: 'UPU',
    distinctive: true,
    pattern: /^[A-Z]{2}\d{9}[A-Z]{2}$/,
    check: (s) => {
      const country = s.slice(11);
      if (!isIsoCountryCode(country)) return null;
      const valid = s10CheckDigit(s.slice(2, 10)) === Number(s[10]);
      // USPS issues S10 numbers for its international services (EA...US, LZ...US, RR...US).
      return { valid, tracking: s, carrier: country === 'US' ? 'USPS' : 'UPU' };
    },
  },
  {
    // IMpb: 22 digits (sometimes 26) starting with the channel application id 91-95.
    format: 'usps-impb',
    carrier: 'USPS',
    distinctive: true,
    pattern: /^9[1-5]\d{20}(\d{4})?$/,
    check: (s) => ({ valid: endsWithCheckDigit(s, gs1CheckDigit), tracking: s }),
  },
  {
    // `96` + SCNC (2) + service (3) + the 15-digit Ground number, whose own GS1 check digit
    // is the barcode's last digit; the tracking number is those 15 digits.
    format: 'fedex-ground-96',
    carrier: 'FedEx',
    distinctive: true,
    pattern: /^96\d{20}$/,
    check: (s) => {
      const tracking = s.slice(7);
      return { valid: endsWithCheckDigit(tracking, gs1CheckDigit), tracking };
    },
  },
  {
    // 34-digit barcodes: the tracking number is the last 12 digits (Express check digit); on
    // `96` Ground barcodes of older labels it is the last 15 (GS1 mod 10). Express `100...`
    // barcodes only ever carry 12: trying 15 there too would let one misread in ten through.
    format: 'fedex-34',
    carrier: 'FedEx',
    distinctive: true,
    pattern: /^(96|100)\d+$/,
    check: (s) => {
      if (s.length !== 34) return null;
      const last12 = s.slice(-12);
      if (endsWithCheckDigit(last12, fedexExpressCheckDigit)) return { valid: true, tracking: last12 };
      const last15 = s.slice(-15);
      if (s.startsWith('96') && endsWithCheckDigit(last15, gs1CheckDigit)) return { valid: true, tracking: last15 };
      return { valid: false, tracking: s };
    },
  },
  {
    format: 'dhl-express',
    carrier: 'DHL',
    distinctive: false,
    pattern: /^\d{10}$/,
    check: (s) => ({ valid: endsWithCheckDigit(s, mod7CheckDigit), tracking: s }),
  },
  {
    format: 'fedex-express',
    carrier: 'FedEx',
    distinctive: false,
    pattern: /^\d{12}$/,
    check: (s) => ({ valid: endsWithCheckDigit(s, fedexExpressCheckDigit), tracking: s }),
  },
  {
    format: 'fedex-ground',
    carrier: 'FedEx',
    distinctive: false,
    pattern: /^\d{15}$/,
    check: (s) => ({ valid: endsWithCheckDigit(s, gs1CheckDigit), tracking: s }),
  },
  {
    format: 'usps-20',
    carrier: 'USPS',
    distinctive: false,
    pattern: /^\d{20}$/,
    check: (s) => ({ valid: isValidUspsNumber(s), tracking: s }),
  },
];

/**
 * The carrier format `s` (already normalised) belongs to: the first rule whose check digit
 * holds, else the first distinctive rule it matched (valid: false), else null.
 */
export function matchCarrier(s: string): CarrierMatch | null {
  let firstInvalid: CarrierMatch | null = null;
  for (const rule of RULES) {
    if (!rule.pattern.test(s)) continue;
    const result = rule.check(s);
    if (result === null) continue;
    const match: CarrierMatch = {
      carrier: result.carrier ?? rule.carrier,
      format: rule.format,
      tracking: result.tracking,
      valid: result.valid,
    };
    if (match.valid) return match;
    if (rule.distinctive && firstInvalid === null) firstInvalid = match;
  }
  return firstInvalid;
}
