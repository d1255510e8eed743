/** Modbus RTU relay and I/O boards as the door controller drives them (codec: ./codec.ts, ./crc16.ts). */
import { modbusGapMs } from '../timing.js';
import type { Family } from '../family.js';
import * as mb from './codec.js';

const MODBUS_EXCEPTIONS: Record<number, string> = {
  1: 'illegal function', 2: 'illegal data address', 3: 'illegal data value', 4: 'device failure',
  5: 'acknowledge', 6: 'device busy',
};

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

function exceptionReason(f: mb.ModbusException): string {
  return `Modbus exception ${f.code} (${MODBUS_EXCEPTIONS[f.code] ?? 'unknown'}) to function ${f.fc}`;
}

export const modbusRtu: Family<'modbus-rtu'> = {
  name: 'modbus-rtu',
  addressMin: mb.UNIT_MIN,
  addressMax: mb.UNIT_MAX,
  maxLocks: 48,
  defaultGapMs: (baud) => modbusGapMs(baud),
  newDecoder: () => new mb.ModbusRtuDecoder(),
  statusRequest: (b) => b.modbus.feedback === 'coils'
    ? mb.encodeReadCoils(b.address, b.modbus.feedbackStart, b.locks)
    : mb.encodeReadDiscreteInputs(b.address, b.modbus.feedbackStart, b.locks),
  unlockRequest: (b, lock) => b.modbus.pulse === 'board'
    ? mb.encodePulse(b.address, b.modbus.relayStart + lock - 1, Math.max(1, Math.ceil(b.pulseMs / 100)))
    : mb.encodeWriteCoil(b.address, b.modbus.relayStart + lock - 1, true),
  relayOffRequest: (b, lock) => (b.modbus.pulse === 'host' ? mb.encodeWriteCoil(b.address, b.modbus.relayStart + lock - 1, false) : null),
  refusalHint(b, kind) {
    if (b.modbus.pulse === 'board') {
      return kind === 'refused'
        ? ': a board without timed pulses refuses them; set modbus.pulse to "host" for this board'
        : ': a board without timed pulses ignores them; set modbus.pulse to "host" for this board';
    }
    return kind === 'refused' ? ': check the board address and its lock count' : ': check the board address, its relay numbering (modbus.relayStart) and its lock count';
  },
  interpret(b, kind, lock, frame) {
    const f = frame as mb.ModbusReply;
    if (f.unit !== b.address) return null;
    if (f.kind === 'exception') return { kind: 'refused', reason: exceptionReason(f) };
    if (kind === 'status') {
      if (f.kind !== 'bits' || f.bits.length !== b.locks) return null;
      return { kind: 'status', reading: { latches: f.bits, sensors: null } };
    }
    if (f.kind !== 'write-coil') return null;
    const channel = b.modbus.relayStart + lock - 1;
    const expected = kind === 'relay-off'
      ? { coil: channel, value: mb.COIL_OFF }
      : b.modbus.pulse === 'board'
        ? { coil: mb.PULSE_COIL_BASE + channel, value: Math.max(1, Math.ceil(b.pulseMs / 100)) }
        : { coil: channel, value: mb.COIL_ON };
    if (f.echoed && f.coil === expected.coil && f.value === expected.value) return { kind: 'ack' };
    // The bus waits for a quiet line before each request, so this is the board's answer to it:
    // one that names another coil or value did not do what was asked.
    return { kind: 'not_echoed', reason: `FC 05 to coil ${hex4(expected.coil)} with value ${hex4(expected.value)} was answered with coil ${hex4(f.coil)} value ${hex4(f.value)}, not its echo` };
  },
  probe: (address) => ({
    request: mb.encodeReadDiscreteInputs(address, 0, 1),
    // An exception still proves a Modbus device answers at that address.
    answers: (frame) => (frame as mb.ModbusReply).unit === address,
  }),
  scanLocks: null,
};
