/**
 * CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), transmitted low byte first.
 * Table-driven: the decoder checks a CRC at every candidate header while hunting.
 */

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC of `bytes[start..end)`. */
export function crc16Modbus(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** `bytes` followed by their CRC, low byte first. */
export function withCrc(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length + 2);
  out.set(bytes);
  out.writeUInt16LE(crc16Modbus(bytes), bytes.length);
  return out;
}

/** Whether `bytes[start..end)` ends with the CRC of what precedes it. */
export function crcHolds(bytes: Uint8Array, start: number, end: number): boolean {
  const crc = crc16Modbus(bytes, start, end - 2);
  return bytes[end - 2] === (crc & 0xff) && bytes[end - 1] === crc >>> 8;
}
