/**
 * AIM symbology identifiers (ISO/IEC 15424): a scanner set to send them prefixes every scan
 * with `]` + code character + modifier character, e.g. `]C1` GS1-128, `]d2` GS1 DataMatrix,
 * `]Q3` GS1 QR, `]E0` EAN-13/UPC-A, `]I1` ITF, `]U0`..`]U3` MaxiCode. The identifier says how
 * to read the rest (GS1 or not, product code or not), so it is kept as `symbology`.
 */

export interface AimStripped {
  /** The identifier as sent, e.g. `]C1`; absent when the scan had none. */
  symbology?: string;
  text: string;
}

// The code character is a letter; the modifier is one alphanumeric character (a digit in
// practice, a letter for a few symbologies such as Code 39 full ASCII).
const AIM_PREFIX = /^\][A-Za-z][0-9A-Za-z]/;

export function stripAim(raw: string): AimStripped {
  const match = AIM_PREFIX.exec(raw);
  if (!match) return { text: raw };
  return { symbology: match[0], text: raw.slice(match[0].length) };
}

/** Symbologies whose data is a GS1 element string (FNC1 in first position is implied). */
const GS1_SYMBOLOGIES = new Set([']C1', ']d2', ']Q3', ']e0', ']J1']);

export function isGs1Symbology(symbology: string | undefined): boolean {
  return symbology !== undefined && GS1_SYMBOLOGIES.has(symbology);
}

/**
 * EAN/UPC (`]E`): always a product code, never a shipping label; a courier who scans one has
 * picked the wrong barcode.
 */
export function isProductSymbology(symbology: string | undefined): boolean {
  return symbology !== undefined && symbology.startsWith(']E');
}
