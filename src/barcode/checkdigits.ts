/**
 * Check-digit algorithms of the carrier formats lockerd recognises. Each takes the data
 * characters WITHOUT the check digit and returns the expected check digit (0-9), or -1 when
 * the input has a character the algorithm does not define, so a caller can never mistake
 * garbage for a match.
 */

function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * GS1 mod 10 (SSCC, GTIN, USPS IMpb, FedEx Ground 15-digit): weights 3,1,3,1... from the
 * rightmost data digit leftwards; check = (10 - sum mod 10) mod 10.
 */
export function gs1CheckDigit(data: string): number {
  let sum = 0;
  for (let i = data.length - 1, w = 3; i >= 0; i--, w = 4 - w) {
    const d = digitAt(data, i);
    if (d < 0) return -1;
    sum += d * w;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * UPS 1Z: over the 15 characters after `1Z`, letters map to ((ch - 'A' + 2) mod 10) (UPS's
 * own mapping, the same as (ASCII - 3) mod 10); characters at odd 0-based positions count
 * double; check = (10 - sum mod 10) mod 10.
 */
export function upsCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    let v: number;
    if (code >= 48 && code <= 57) v = code - 48;
    else if (code >= 65 && code <= 90) v = (code - 65 + 2) % 10;
    else return -1;
    sum += i % 2 === 1 ? v * 2 : v;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * FedEx Express 12-digit (and the 12-digit tail of the 34-digit barcode): weights 1,3,7
 * repeating from the rightmost data digit leftwards (3,1,7 from the left over 11 digits);
 * check = sum mod 11 mod 10.
 */
export function fedexExpressCheckDigit(data: string): number {
  const weights = [1, 3, 7];
  let sum = 0;
  for (let i = data.length - 1, k = 0; i >= 0; i--, k++) {
    const d = digitAt(data, i);
    if (d < 0) return -1;
    sum += d * (weights[k % 3] ?? 0);
  }
  return (sum % 11) % 10;
}

/** DHL Express: the data read as a number, mod 7. Data is at most 10 digits, so exact. */
export function mod7CheckDigit(data: string): number {
  if (data.length === 0 || data.length > 15 || !/^[0-9]+$/.test(data)) return -1;
  return Number(data) % 7;
}

/**
 * UPU S10: weights 8,6,4,2,3,5,9,7 over the 8 serial digits; r = sum mod 11; check = 11 - r,
 * except r = 0 gives 5 and r = 1 gives 0.
 */
export function s10CheckDigit(serial: string): number {
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  if (serial.length !== weights.length) return -1;
  let sum = 0;
  for (let i = 0; i < serial.length; i++) {
    const d = digitAt(serial, i);
    if (d < 0) return -1;
    sum += d * (weights[i] ?? 0);
  }
  const r = sum % 11;
  return r === 0 ? 5 : r === 1 ? 0 : 11 - r;
}

/** True when the last character of `s` is the check digit `algorithm` computes over the rest. */
export function endsWithCheckDigit(s: string, algorithm: (data: string) => number): boolean {
  if (s.length < 2) return false;
  const last = digitAt(s, s.length - 1);
  return last >= 0 && algorithm(s.slice(0, -1)) === last;
}
