/**
 * UPS MaxiCode structured carrier message (modes 2 and 3), as scanners output it:
 *
 *   `[)>` RS `01` GS `96` postal GS country GS class GS tracking GS `UPSN` GS shipper GS
 *   julian day GS ... RS EOT
 *
 * The tracking field is either the full 18-character `1Z` number or its short form `1Z` +
 * 7-digit package id + check digit; the short form is completed with the shipper number and the
 * last two digits of the class of service: `1Z` + shipper + service + package id + check. The
 * label's Code 128 `1Z` barcode is the better scan; this is the fallback when only the MaxiCode
 * reads.
 */

import { GS } from './gs1.js';

export const RS = '\u001e';
export const EOT = '\u0004';

/** ISO/IEC 15434 message envelope header as sent by UPS MaxiCode: `[)>` RS `01` GS `96`. */
export const MAXICODE_HEADER = `[)>${RS}01${GS}96`;

export interface MaxiCodeReading {
  /** The 18-character `1Z` number, when the message has a tracking field. */
  tracking?: string;
}

export function isMaxiCodeMessage(text: string): boolean {
  return text.startsWith(MAXICODE_HEADER);
}

export function readMaxiCode(text: string): MaxiCodeReading | null {
  if (!isMaxiCodeMessage(text)) return null;
  // Fields end at GS; the message ends at RS (then EOT). Compressed secondary data, if any,
  // follows an RS and is not needed here.
  const body = text.slice(MAXICODE_HEADER.length).split(RS)[0] ?? '';
  const fields = body.split(GS);
  for (let i = 0; i < fields.length; i++) {
    const field = (fields[i] ?? '').toUpperCase();
    if (/^1Z[A-Z0-9]{16}$/.test(field)) return { tracking: field };
    if (/^1Z[A-Z0-9]{8}$/.test(field)) {
      const serviceClass = fields[i - 1] ?? '';
      const shipper = (fields[i + 2] ?? '').toUpperCase();
      if (/^\d{3}$/.test(serviceClass) && /^[A-Z0-9]{6}$/.test(shipper)) {
        return { tracking: `1Z${shipper}${serviceClass.slice(1)}${field.slice(2)}` };
      }
    }
  }
  return {};
}
