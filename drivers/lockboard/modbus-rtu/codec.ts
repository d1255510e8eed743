/**
 * Modbus RTU codec for relay and I/O boards: FC 01 read coils, FC 02 read discrete inputs,
 * FC 05 write single coil (on/off, and the board-timed pulse of Waveshare-style relay boards),
 * exception replies (FC | 0x80). Frames are `UNIT FC DATA.. CRC16` (CRC low byte first).
 * RTU frames carry no length and no start marker: the reply is framed by what the request
 * asked for, so the decoder must be told the request (`expect`). Hand-written rather than
 * taken from an npm library: see docs/lockboard-codecs.md.
 */
import { HuntingDecoder, MORE, NOT_A_FRAME, BAD_CHECKSUM, bitsOf, byteOf, checkInt, type Match } from '../codec.js';
import { crcHolds, withCrc } from './crc16.js';

export const FC_READ_COILS = 0x01;
export const FC_READ_DISCRETE_INPUTS = 0x02;
export const FC_WRITE_SINGLE_COIL = 0x05;
const EXCEPTION_BIT = 0x80;

/** 0 is broadcast (never answered), 248..255 are reserved. */
export const UNIT_MIN = 1;
export const UNIT_MAX = 247;
/** Modbus limit for FC 01/02: the reply then holds 250 data bytes, 255 in all. */
export const READ_BITS_MAX = 2000;
export const COIL_ON = 0xff00;
export const COIL_OFF = 0x0000;
/** Waveshare-style relay boards: FC 05 to 0x0200 + channel pulses the relay for value x 100 ms. */
export const PULSE_COIL_BASE = 0x0200;
export const PULSE_CHANNEL_MAX = 0xff;
export const PULSE_TENTHS_MAX = 0xffff;

const REQUEST_LENGTH = 8;
const EXCEPTION_LENGTH = 5;

export type ReadFc = typeof FC_READ_COILS | typeof FC_READ_DISCRETE_INPUTS;

export interface ModbusBitsReply {
  kind: 'bits';
  unit: number;
  fc: ReadFc;
  /** Exactly as many as requested; index k = coil/input start + k. */
  bits: boolean[];
  raw: Buffer;
}

/**
 * A normal FC 05 reply echoes the request. `echoed` says whether this one does (coil and value as
 * sent): a board that does not know the timed pulse may answer it with another value (`00 00`)
 * and not power the lock, which is no acknowledgement.
 */
export interface ModbusWriteCoilReply {
  kind: 'write-coil';
  unit: number;
  coil: number;
  value: number;
  echoed: boolean;
  raw: Buffer;
}

export interface ModbusException {
  kind: 'exception';
  unit: number;
  /** The function code of the request (without the 0x80 bit). */
  fc: number;
  /** 1 illegal function, 2 illegal data address, 3 illegal data value, 4 device failure, ... */
  code: number;
  raw: Buffer;
}

export type ModbusReply = ModbusBitsReply | ModbusWriteCoilReply | ModbusException;

function checkUnit(unit: number): void {
  checkInt('Modbus unit address', unit, UNIT_MIN, UNIT_MAX);
}

function request(unit: number, fc: number, a: number, b: number): Buffer {
  const pdu = Buffer.alloc(6);
  pdu[0] = unit;
  pdu[1] = fc;
  pdu.writeUInt16BE(a, 2);
  pdu.writeUInt16BE(b, 4);
  return withCrc(pdu);
}

function readBits(fc: ReadFc, unit: number, start: number, quantity: number): Buffer {
  checkUnit(unit);
  checkInt('Modbus start address', start, 0, 0xffff);
  checkInt('Modbus quantity', quantity, 1, READ_BITS_MAX);
  checkInt('Modbus last address (start + quantity - 1)', start + quantity - 1, 0, 0xffff);
  return request(unit, fc, start, quantity);
}

/** FC 01: read `quantity` coils (relays) from `start`. */
export function encodeReadCoils(unit: number, start: number, quantity: number): Buffer {
  return readBits(FC_READ_COILS, unit, start, quantity);
}

/** FC 02: read `quantity` discrete inputs (door or feedback switches) from `start`. */
export function encodeReadDiscreteInputs(unit: number, start: number, quantity: number): Buffer {
  return readBits(FC_READ_DISCRETE_INPUTS, unit, start, quantity);
}

/** FC 05: switch one coil on (`FF 00`) or off (`00 00`). */
export function encodeWriteCoil(unit: number, coil: number, on: boolean): Buffer {
  checkUnit(unit);
  checkInt('Modbus coil address', coil, 0, 0xffff);
  return request(unit, FC_WRITE_SINGLE_COIL, coil, on ? COIL_ON : COIL_OFF);
}

/**
 * FC 05 to coil 0x0200 + channel with value = pulse length in 100 ms units: the board switches
 * the relay off by itself, so a host that dies mid-pulse cannot leave a lock powered.
 */
export function encodePulse(unit: number, channel: number, tenthsOfSecond: number): Buffer {
  checkUnit(unit);
  checkInt('Modbus pulse channel', channel, 0, PULSE_CHANNEL_MAX);
  checkInt('Modbus pulse length (units of 100 ms)', tenthsOfSecond, 1, PULSE_TENTHS_MAX);
  return request(unit, FC_WRITE_SINGLE_COIL, PULSE_COIL_BASE + channel, tenthsOfSecond);
}

/** A board's FC 01/02 reply (for simulators and tests). */
export function encodeBitsReply(unit: number, fc: ReadFc, bits: readonly boolean[]): Buffer {
  checkUnit(unit);
  checkInt('Modbus bit count', bits.length, 1, READ_BITS_MAX);
  const n = Math.ceil(bits.length / 8);
  const pdu = Buffer.alloc(3 + n);
  pdu[0] = unit;
  pdu[1] = fc;
  pdu[2] = n;
  for (let i = 0; i < n; i++) pdu[3 + i] = byteOf(bits, i * 8);
  return withCrc(pdu);
}

/** A board's FC 05 reply with any coil and value (for simulators and tests; a normal board echoes the request). */
export function encodeWriteCoilReply(unit: number, coil: number, value: number): Buffer {
  checkUnit(unit);
  checkInt('Modbus coil address', coil, 0, 0xffff);
  checkInt('Modbus coil value', value, 0, 0xffff);
  return request(unit, FC_WRITE_SINGLE_COIL, coil, value);
}

/** A board's exception reply (for simulators and tests). */
export function encodeException(unit: number, fc: number, code: number): Buffer {
  checkUnit(unit);
  checkInt('Modbus function code', fc, 1, 0x7f);
  checkInt('Modbus exception code', code, 0, 0xff);
  return withCrc(Buffer.from([unit, fc | EXCEPTION_BIT, code]));
}

interface Expectation {
  unit: number;
  fc: number;
  /** FC 01/02: how many bits were asked for. */
  quantity: number;
  /** FC 05: the coil address and value sent, which the reply must echo. */
  coil: number;
  value: number;
}

/**
 * Incremental decoder of the reply to one request. Until `expect` is called (and after
 * `reset`), every byte is discarded: a master-only bus has nothing to say unasked. The
 * expectation stays until the next `expect`/`reset`, so a duplicated reply is decoded twice
 * and the bus, which knows whether a transaction is open, decides what to do with it.
 */
export class ModbusRtuDecoder extends HuntingDecoder<ModbusReply> {
  private expected: Expectation | null = null;

  /** `request` is the exact frame sent (as built by this module's encoders). */
  expect(request: Uint8Array): void {
    if (request.length !== REQUEST_LENGTH || !crcHolds(request, 0, REQUEST_LENGTH)) {
      throw new RangeError(`Modbus request must be an ${REQUEST_LENGTH}-byte frame with a valid CRC`);
    }
    const fc = request[1]!;
    const coil = (request[2]! << 8) | request[3]!;
    const quantity = (request[4]! << 8) | request[5]!;
    if (fc === FC_READ_COILS || fc === FC_READ_DISCRETE_INPUTS) {
      checkInt('Modbus quantity', quantity, 1, READ_BITS_MAX);
    } else if (fc !== FC_WRITE_SINGLE_COIL) {
      throw new RangeError(`Modbus function code must be 1, 2 or 5, got ${fc}`);
    }
    checkUnit(request[0]!);
    this.expected = { unit: request[0]!, fc, quantity, coil, value: quantity };
  }

  protected clearExpectation(): void {
    this.expected = null;
  }

  protected isHeader(byte: number): boolean {
    return this.expected !== null && byte === this.expected.unit;
  }

  protected match(buf: Buffer, p: number, end: number): Match<ModbusReply> {
    const exp = this.expected!;
    if (end - p < 2) return MORE;
    const fc = buf[p + 1]!;
    let length: number;
    if (fc === (exp.fc | EXCEPTION_BIT)) {
      length = EXCEPTION_LENGTH;
    } else if (fc !== exp.fc) {
      return NOT_A_FRAME;
    } else if (fc === FC_WRITE_SINGLE_COIL) {
      length = REQUEST_LENGTH;
    } else {
      if (end - p < 3) return MORE;
      const n = Math.ceil(exp.quantity / 8);
      if (buf[p + 2] !== n) return NOT_A_FRAME;
      length = 3 + n + 2;
    }
    if (end - p < length) return MORE;
    if (!crcHolds(buf, p, p + length)) return BAD_CHECKSUM;

    const raw = Buffer.from(buf.subarray(p, p + length));
    const unit = raw[0]!;
    let frame: ModbusReply;
    if (fc !== exp.fc) {
      frame = { kind: 'exception', unit, fc: exp.fc, code: raw[2]!, raw };
    } else if (fc === FC_WRITE_SINGLE_COIL) {
      const coil = raw.readUInt16BE(2);
      const value = raw.readUInt16BE(4);
      frame = { kind: 'write-coil', unit, coil, value, echoed: coil === exp.coil && value === exp.value, raw };
    } else {
      const bits: boolean[] = [];
      for (let i = 3; i < length - 2; i++) bitsOf(raw[i]!, bits);
      bits.length = exp.quantity;
      frame = { kind: 'bits', unit, fc: fc as ReadFc, bits, raw };
    }
    return { kind: 'frame', length, frame };
  }
}
