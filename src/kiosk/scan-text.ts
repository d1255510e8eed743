const GS = '\u001d';

export type ScanCheck = { ok: true; text: string } | { ok: false; reason: 'empty' | 'too_long' | 'control_characters' };

/**
 * First gate for scanner text: bounded length, no control characters except GS (FNC1 in GS1
 * labels). Scans are untrusted; what passes is still only ever used as data.
 */
export function checkScanText(raw: string, maxLength: number): ScanCheck {
  if (raw.length > maxLength) return { ok: false, reason: 'too_long' };
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'empty' };
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && ch !== GS) || c === 0x7f || (c >= 0x80 && c < 0xa0)) return { ok: false, reason: 'control_characters' };
  }
  return { ok: true, text };
}
