import { describe, expect, it } from 'vitest';
import {
  ModbusRtuDecoder, encodeBitsReply, encodeException, encodePulse, encodeReadCoils,
  encodeReadDiscreteInputs, encodeWriteCoil, encodeWriteCoilReply,
} from '../../../../drivers/lockboard/modbus-rtu/codec.js';
import { crc16Modbus, withCrc } from '../../../../drivers/lockboard/modbus-rtu/crc16.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decoderFor(request: Buffer): ModbusRtuDecoder {
  const d = new ModbusRtuDecoder();
  d.expect(request);
  return d;
}

describe('CRC-16/MODBUS', () => {
  it('matches the catalogue check value and is sent low byte first', () => {
    expect(crc16Modbus(Buffer.from('123456789', 'ascii'))).toBe(0x4b37);
    expect(withCrc(hex('01 05 00 00 FF 00'))).toEqual(hex('01 05 00 00 FF 00 8C 3A'));
  });
});

describe('Modbus RTU encoding (LOCKBOARDS.md examples)', () => {
  it('FC 05 coil 0 on, and off', () => {
    expect(encodeWriteCoil(1, 0, true)).toEqual(hex('01 05 00 00 FF 00 8C 3A'));
    expect(encodeWriteCoil(1, 0, false)).toEqual(withCrc(hex('01 05 00 00 00 00')));
  });

  it('FC 01 read 8 coils', () => {
    expect(encodeReadCoils(1, 0, 8)).toEqual(hex('01 01 00 00 00 08 3D CC'));
  });

  it('FC 02 read discrete inputs', () => {
    expect(encodeReadDiscreteInputs(1, 0, 8)).toEqual(withCrc(hex('01 02 00 00 00 08')));
  });

  it('board-timed pulse: FC 05 to 0x0200 + channel, value in 100 ms units', () => {
    expect(encodePulse(1, 0, 7)).toEqual(hex('01 05 02 00 00 07 8D B0'));
    expect(encodePulse(2, 3, 5)).toEqual(withCrc(hex('02 05 02 03 00 05')));
  });

  it('replies as a board sends them', () => {
    expect(encodeBitsReply(1, 1, [true, false, false, false, false, false, true, false])).toEqual(hex('01 01 01 41 91 B8'));
    expect(encodeException(1, 5, 2)).toEqual(withCrc(hex('01 85 02')));
  });

  it('rejects out-of-range arguments with a RangeError naming the range', () => {
    expect(() => encodeWriteCoil(0, 0, true)).toThrow(/Modbus unit address must be an integer from 1 to 247, got 0/);
    expect(() => encodeWriteCoil(248, 0, true)).toThrow(RangeError);
    expect(() => encodeWriteCoil(1, 0x10000, true)).toThrow(/coil address must be an integer from 0 to 65535/);
    expect(() => encodeReadCoils(1, 0, 0)).toThrow(/quantity must be an integer from 1 to 2000, got 0/);
    expect(() => encodeReadCoils(1, 0, 2001)).toThrow(RangeError);
    expect(() => encodeReadCoils(1, 0xfff0, 32)).toThrow(/last address/);
    expect(() => encodePulse(1, 256, 5)).toThrow(/pulse channel must be an integer from 0 to 255/);
    expect(() => encodePulse(1, 0, 0)).toThrow(/pulse length \(units of 100 ms\) must be an integer from 1 to 65535/);
    expect(() => encodeException(1, 0x80, 1)).toThrow(RangeError);
  });
});

describe('Modbus RTU decoding', () => {
  it('decodes the documented FC 01 reply to reading 8 coils', () => {
    const d = decoderFor(encodeReadCoils(1, 0, 8));
    expect(d.push(hex('01 01 01 41 91 B8'))).toEqual([{
      kind: 'bits', unit: 1, fc: 1, bits: [true, false, false, false, false, false, true, false],
      raw: hex('01 01 01 41 91 B8'),
    }]);
  });

  it('returns exactly the requested number of bits (FC 02, 10 inputs in 2 bytes)', () => {
    const d = decoderFor(encodeReadDiscreteInputs(7, 0, 10));
    const [reply] = d.push(withCrc(hex('07 02 02 01 02')));
    expect(reply).toMatchObject({ kind: 'bits', unit: 7, fc: 2 });
    expect(reply?.kind === 'bits' && reply.bits).toEqual([true, false, false, false, false, false, false, false, false, true]);
  });

  it('decodes the FC 05 reply to a board-timed pulse', () => {
    const request = encodePulse(1, 0, 7);
    expect(decoderFor(request).push(request)).toEqual([
      { kind: 'write-coil', unit: 1, coil: 0x0200, value: 7, echoed: true, raw: hex('01 05 02 00 00 07 8D B0') },
    ]);
  });

  it('says when an FC 05 reply does not echo the request (a board that ignored the timed pulse answers 00 00)', () => {
    const d = decoderFor(encodePulse(1, 3, 5));
    expect(d.push(encodeWriteCoilReply(1, 0x0203, 0))).toEqual([
      { kind: 'write-coil', unit: 1, coil: 0x0203, value: 0, echoed: false, raw: withCrc(hex('01 05 02 03 00 00')) },
    ]);
    // Another coil is no echo either; the exact echo is.
    expect(d.push(encodeWriteCoilReply(1, 0x0204, 5))).toMatchObject([{ echoed: false }]);
    expect(d.push(encodePulse(1, 3, 5))).toMatchObject([{ echoed: true }]);
    const off = decoderFor(encodeWriteCoil(1, 2, false));
    expect(off.push(encodeWriteCoilReply(1, 2, 0xff00))).toMatchObject([{ kind: 'write-coil', echoed: false }]);
  });

  it('decodes exception replies (FC | 0x80)', () => {
    const d = decoderFor(encodeWriteCoil(1, 0, true));
    expect(d.push(encodeException(1, 5, 2))).toEqual([
      { kind: 'exception', unit: 1, fc: 5, code: 2, raw: withCrc(hex('01 85 02')) },
    ]);
  });

  it('ignores other units, other function codes and a wrong byte count', () => {
    const d = decoderFor(encodeReadCoils(1, 0, 8));
    const stray = Buffer.concat([
      withCrc(hex('02 01 01 41')), // another unit
      withCrc(hex('01 03 02 00 01')), // another function code
      withCrc(hex('01 01 02 41 00')), // byte count does not match 8 coils
    ]);
    expect(d.push(Buffer.concat([stray, hex('01 01 01 41 91 B8')]))).toHaveLength(1);
    expect(d.stats).toMatchObject({ frames: 1, checksumErrors: 0, discardedBytes: stray.length });
  });

  it('discards everything until told what to expect', () => {
    const d = new ModbusRtuDecoder();
    expect(d.push(hex('01 01 01 41 91 B8'))).toEqual([]);
    expect(d.stats.discardedBytes).toBe(6);
    expect(d.pending).toBe(0);
  });

  it('assembles a reply pushed byte by byte', () => {
    const d = decoderFor(encodeWriteCoil(1, 0, true));
    const out = [];
    for (const b of hex('01 05 00 00 FF 00 8C 3A')) out.push(...d.push(Buffer.from([b])));
    expect(out).toMatchObject([{ kind: 'write-coil', coil: 0, value: 0xff00 }]);
  });

  it('rejects and counts a bad CRC, then finds the reply that began inside it', () => {
    const d = decoderFor(encodeReadCoils(1, 0, 8));
    // Candidate 01 01 01 41 91 | 01: bad CRC; the real reply starts at its last CRC byte.
    const replies = d.push(hex('01 01 01 41 91  01 01 01 41 91 B8'));
    expect(replies).toHaveLength(1);
    expect(d.stats).toMatchObject({ frames: 1, checksumErrors: 1, discardedBytes: 5 });
  });

  it('drops the echo of FC 05 once, though the reply is byte-identical', () => {
    const request = encodeWriteCoil(1, 0, true);
    const d = decoderFor(request);
    d.expectEcho(request);
    expect(d.push(Buffer.concat([request, request]))).toHaveLength(1);
    expect(d.stats).toMatchObject({ echoes: 1, frames: 1 });
  });

  it('drops the echo of FC 01 split over pushes, then decodes the reply', () => {
    const request = encodeReadCoils(1, 0, 8);
    const d = decoderFor(request);
    d.expectEcho(request);
    const stream = Buffer.concat([request, hex('01 01 01 41 91 B8')]);
    expect(d.push(stream.subarray(0, 3))).toEqual([]);
    expect(d.push(stream.subarray(3, 10))).toEqual([]);
    expect(d.push(stream.subarray(10))).toHaveLength(1);
    expect(d.stats).toMatchObject({ echoes: 1, discardedBytes: 0, checksumErrors: 0 });
  });

  it('refuses to expect a frame that is not one of our requests', () => {
    const d = new ModbusRtuDecoder();
    expect(() => d.expect(hex('01 05 00 00 FF 00 00 00'))).toThrow(RangeError);
    expect(() => d.expect(withCrc(hex('01 03 00 00 00 01')))).toThrow(/function code must be 1, 2 or 5/);
    expect(() => d.expect(hex('01 01 01 41 91 B8'))).toThrow(RangeError);
  });

  it('reset forgets the expectation', () => {
    const d = decoderFor(encodeReadCoils(1, 0, 8));
    d.reset();
    expect(d.push(hex('01 01 01 41 91 B8'))).toEqual([]);
  });

  it('handles the longest reply (2000 coils, 255 bytes)', () => {
    const bits = Array.from({ length: 2000 }, (_, i) => i % 3 === 0);
    const reply = encodeBitsReply(1, 1, bits);
    expect(reply.length).toBe(255);
    const d = decoderFor(encodeReadCoils(1, 0, 2000));
    const out = [];
    for (let i = 0; i < reply.length; i += 7) out.push(...d.push(reply.subarray(i, i + 7)));
    expect(out).toMatchObject([{ kind: 'bits', bits }]);
  });
});
