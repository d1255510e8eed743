import type { DoorHardware, InputDevice } from '../../drivers/contracts.js';
import type { LockerdConfig } from '../config/types.js';
import type { SimHardware } from '../control/commands.js';
import { componentLogger, type Logger } from '../log.js';
import { buildDoors } from './doors.js';
import { buildInputs } from './inputs.js';

export interface Hardware {
  doors: DoorHardware;
  inputs: InputDevice[];
  /** Present when the lock boards are simulated: `lockerctl sim` drives them. */
  sim?: SimHardware;
}

/** Builds what the config asks for, and nothing else: no native module loads for absent hardware. */
export function buildHardware(config: LockerdConfig, log: Logger): Hardware {
  const { doors, simBoards } = buildDoors(config.buses, componentLogger(log, 'bus'));
  const { inputs, simKeypad, simScanner } = buildInputs(config, componentLogger(log, 'input'));
  const sim = simBoards ? { boards: simBoards, keypad: simKeypad, scanner: simScanner } : undefined;
  return { doors, inputs, sim };
}
