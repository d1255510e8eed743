/**
 * The lines an input test streams to lockerctl, which prints them as they come (its `--json`
 * asks for the objects instead). Made here, apart from the handlers, because that text is the
 * wire format lockerctl relies on.
 */
import type { InputHealth, KioskInput } from '../../../drivers/contracts.js';
import { describeScanForLog, parseScan, type ScanResult } from '../../barcode/index.js';
import { containsCredentials } from '../../secrets/redact.js';

/** Control characters shown as `<GS>`, `\xNN`; bounded for a terminal line. */
export function showText(text: string, max = 200): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out += c === 0x1d ? '<GS>' : c < 0x20 || (c >= 0x7f && c < 0xa0) ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
    if (out.length > max) return `${out.slice(0, max)}… (${text.length} characters)`;
  }
  return out;
}

export function hex(bytes: Uint8Array, max = 256): string {
  const shown = [...bytes.subarray(0, max)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} … (${bytes.length} bytes)` : shown;
}

/** What a scan test shows: the parse, and the text unless it carries a bearer token. */
export function scanEvent(input: Extract<KioskInput, { kind: 'scan' }>, maxLength: number): Record<string, unknown> {
  const result: ScanResult = parseScan(input.text, { maxLength });
  // Locker codes carry bearer tokens, damaged ones too: the technician sees what it is, not the token.
  const secret = result.kind === 'pickup' || result.kind === 'badge' || containsCredentials(input.text);
  return {
    device: input.source,
    at: input.at.toISOString(),
    kind: 'scan',
    text: secret ? null : showText(input.text),
    ...(input.symbology !== undefined ? { symbology: input.symbology } : {}),
    result: describeScanForLog(result),
  };
}

export function scanLine(e: Record<string, unknown>): string {
  const r = e.result as { kind: string; carrier?: string; tracking?: string; valid?: boolean; reason?: string; kioskId?: string };
  const what =
    r.kind === 'parcel' ? `parcel ${r.carrier ?? 'unknown'} ${r.tracking ?? ''} ${r.valid ? 'valid' : `NOT valid (${r.reason ?? 'check digit'})`}`
    : r.kind === 'pickup' ? `locker pickup code for kiosk ${r.kioskId ?? '?'} (token hidden)`
    : r.kind === 'badge' ? 'courier badge (token hidden)'
    : `${r.kind}${r.reason ? `: ${r.reason}` : ''}`;
  return `[${String(e.device)}] scan ${e.text === null ? '' : `"${String(e.text)}" `}${e.symbology ? `${String(e.symbology)} ` : ''}→ ${what}`;
}

export function healthLine(h: InputHealth): string {
  const counters = Object.entries(h.counters).map(([k, v]) => `${k}=${v}`).join(' ');
  return `[${h.name}] ${h.type} ${h.kind}, ${h.online ? 'online' : 'OFFLINE'}: ${h.detail}${counters ? ` (${counters})` : ''}`;
}

