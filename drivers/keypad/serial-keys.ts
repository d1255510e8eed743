/**
 * Serial keypads, pure: one ASCII character per key. `0-9`, `*`, `#`, `A-D` (lower case too)
 * map to the kiosk's key alphabet; ESC is `cancel`; CR is `enter` only when configured (many
 * keypads end every key with CR or CRLF, which must then be ignored). Everything else is ignored
 * and counted.
 */
import type { Key } from '../contracts.js';

export interface SerialKeyOptions {
  /** What a carriage return means: the keypad's Enter key, or a line ending to ignore. */
  carriageReturn: 'enter' | 'ignore';
}

export function serialByteToKey(byte: number, options: SerialKeyOptions): Key | null {
  if (byte >= 0x30 && byte <= 0x39) return String.fromCharCode(byte) as Key;
  switch (byte) {
    case 0x2a:
      return '*';
    case 0x23:
      return '#';
    case 0x41: case 0x42: case 0x43: case 0x44:
      return String.fromCharCode(byte) as Key;
    case 0x61: case 0x62: case 0x63: case 0x64:
      return String.fromCharCode(byte - 0x20) as Key;
    case 0x1b:
      return 'cancel';
    case 0x0d:
      return options.carriageReturn === 'enter' ? 'enter' : null;
    default:
      return null;
  }
}

/** Bytes to keys; `ignored` counts bytes that are not keys (line endings, noise). */
export function decodeSerialKeys(bytes: Uint8Array, options: SerialKeyOptions): { keys: Key[]; ignored: number } {
  const keys: Key[] = [];
  let ignored = 0;
  for (const b of bytes) {
    const k = serialByteToKey(b, options);
    if (k === null) ignored++;
    else keys.push(k);
  }
  return { keys, ignored };
}
