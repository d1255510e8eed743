import type { DoorHardware } from '../../drivers/contracts.js';
import { DoorHardwareSet } from '../../drivers/door-hardware-set.js';
import { LockBoardController } from '../../drivers/lockboard/door-controller.js';
import { PowerGroups } from '../../drivers/lockboard/power-groups.js';
import type { BoardSpec } from '../../drivers/lockboard/family.js';
import { loadSystemBinding, type SerialBinding } from '../../drivers/lockboard/serial.js';
import { SimLockBoards } from '../../drivers/sim/lock-boards.js';
import type { BusConfig, Rs485BusConfig } from '../config/types.js';
import type { Logger } from '../log.js';

export interface BuiltDoors {
  doors: DoorHardware;
  /** The first simulated bus, which `lockerctl sim` drives; absent on real hardware. */
  simBoards?: SimLockBoards;
}

export interface BuildDoorsOptions {
  /** The serial binding for RS-485 buses; defaults to the real one, loaded on first use only. */
  loadBinding?: () => Promise<SerialBinding>;
}

/** The boards of an RS-485 bus as the door controller takes them: the bus's defaults filled in. */
export function boardSpecs(bus: Rs485BusConfig): BoardSpec[] {
  return bus.boards.map((b) => ({
    id: b.id,
    protocol: b.protocol ?? bus.protocol,
    address: b.address,
    locks: b.locks,
    polarity: b.polarity,
    pulseMs: b.pulseMs,
    // Unset: the board is its own group (its locks fire one at a time, other boards' in parallel).
    powerGroup: b.powerGroup ?? `board:${b.id}`,
    sensors: b.sensors,
    modbus: { ...b.modbus },
  }));
}

/**
 * One DoorHardware per configured bus, merged. RS-485 buses load the serialport native module
 * only when they first open their port, so a config with simulated buses only never loads it.
 */
export function buildDoors(buses: readonly BusConfig[], log: Logger, options: BuildDoorsOptions = {}): BuiltDoors {
  const powerGroups = new PowerGroups();
  const members = buses.map((bus) => {
    const boards = bus.boards.map((b) => b.id);
    if (bus.type === 'sim') {
      return { hardware: new SimLockBoards({ boards: bus.boards, autoCloseMs: bus.autoCloseMs, unlockDelayMs: bus.unlockDelayMs }), boards };
    }
    const hardware = new LockBoardController({
      id: bus.id,
      path: bus.path,
      baudRate: bus.baudRate,
      echo: bus.echo,
      lowLatency: bus.lowLatency,
      replyTimeoutMs: bus.replyTimeoutMs,
      ...(bus.quietGapMs !== undefined ? { quietGapMs: bus.quietGapMs } : {}),
      pollIntervalMs: bus.pollIntervalMs,
      offlineAfterMisses: bus.offlineAfterMisses,
      unlockAttempts: bus.unlockAttempts,
      statusRetries: bus.statusRetries,
      powerGroupGapMs: bus.powerGroupGapMs,
      reconnectMinMs: bus.reconnectMinMs,
      reconnectMaxMs: bus.reconnectMaxMs,
      boards: boardSpecs(bus),
      loadBinding: options.loadBinding ?? loadSystemBinding,
      powerGroups,
      log,
    });
    return { hardware, boards };
  });
  const simBoards = members.find((m) => m.hardware instanceof SimLockBoards)?.hardware as SimLockBoards | undefined;
  const doors = members.length === 1 ? members[0]!.hardware : new DoorHardwareSet(members);
  return { doors, simBoards };
}
