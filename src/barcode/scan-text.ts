/**
 * The first line of defence for scans, which are untrusted: a length cap, a ban on control and
 * invisible formatting characters, and a log excerpt that cannot spoof a log line or leak a
 * token.
 */

import { GS } from './gs1.js';
import { EOT, RS } from './maxicode.js';

export const DEFAULT_MAX_SCAN_LENGTH = 512;
export const EXCERPT_MAX = 40;

const FS = '\u001c';

// Cc (C0, DEL, C1), Cf (bidi overrides, zero-width, BOM...), line/paragraph separators and
// lone surrogates: none belongs in a barcode, and all can disguise or corrupt a log line.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

// ISO/IEC 15434 envelope (UPS MaxiCode), after an optional AIM id: its RS, FS and EOT separators
// are part of the format, so only there are they allowed.
const ENVELOPE = /^(?:\][A-Za-z][0-9A-Za-z])?\[\)>\u001e/;

export type ScanTextCheck = { ok: true; text: string } | { ok: false; reason: string };

export function checkScanText(raw: string, maxLength: number): ScanTextCheck {
  if (raw.length > maxLength) {
    return { ok: false, reason: `scan too long: ${raw.length} characters (limit ${maxLength})` };
  }
  // A line terminator left by a serial or keyboard-wedge source is not part of the data.
  const text = raw.replace(/[\r\n]+$/, '');
  const allowed = ENVELOPE.test(text) ? new Set([GS, RS, FS, EOT]) : new Set([GS]);
  for (const ch of text) {
    if (!allowed.has(ch) && FORBIDDEN.test(ch)) {
      return { ok: false, reason: 'scan contains control characters' };
    }
  }
  return { ok: true, text };
}

function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (ch === '\\') return '\\\\';
  if (cp >= 0x20 && cp <= 0x7e) return ch;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

const REDACTED = '[redacted]';

/**
 * At most EXCERPT_MAX characters of printable ASCII describing the start of `raw`. Whatever
 * follows a locker-code prefix (`LKP1/`, `LKB1/`) and any run of 10+ base32 letters is
 * replaced by [redacted], so a refused pickup or badge scan cannot put its token in the log.
 */
export function logExcerpt(raw: string): string {
  // Every character yields at least one output character, so nothing past the first
  // EXCERPT_MAX can show; a little more is kept so a base32 run cut here is still seen whole
  // enough (10+) to be redacted. This also bounds the work on a huge refused scan.
  const head = raw.slice(0, EXCERPT_MAX + 24);
  const prefix = /LK[PB]1\//i.exec(head);
  const source = prefix ? head.slice(0, prefix.index + prefix[0].length) : head;
  const pieces = source.split(/([A-Z2-7]{10,})/i);
  let out = '';
  const push = (s: string): boolean => {
    if (out.length + s.length > EXCERPT_MAX) return false;
    out += s;
    return true;
  };
  let full = false;
  pieces.forEach((piece, index) => {
    if (full) return;
    if (index % 2 === 1) {
      full = !push(REDACTED);
      return;
    }
    for (const ch of piece) {
      if (!push(escapeChar(ch))) {
        full = true;
        return;
      }
    }
  });
  if (prefix && !full) push(REDACTED);
  return out;
}
