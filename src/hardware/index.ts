import type { DoorHardware, InputDevice } from '../../drivers/contracts.js';
import type { LockerdConfig } from '../config/types.js';
import { componentLogger, type Logger } from '../log.js';
import { buildDoors } from './doors.js';
import { buildInputs, buildKioskGpio } from './inputs.js';
import type { KioskGpio } from '../../drivers/gpio/kiosk-io.js';
import type { SimInput } from '../../drivers/sim/input.js';
import type { SimLockBoards } from '../../drivers/sim/lock-boards.js';

/** What the config asks to simulate: the keypad and scanner with `simulator.keypad|scanner`, lock boards with a sim bus. */
export interface SimHardware {
  boards?: SimLockBoards;
  keypad?: SimInput;
  scanner?: SimInput;
}

export interface Hardware {
  doors: DoorHardware;
  inputs: InputDevice[];
  /** What `lockerctl sim` drives: whatever the config asks to simulate (simulator.keypad, simulator.scanner, sim buses). */
  sim: SimHardware;
  /** The cabinet's GPIO: tamper and power-fail inputs, buzzer and lights. */
  gpio: KioskGpio;
}

/** Builds what the config asks for, and nothing else: no native module loads for absent hardware. */
export function buildHardware(config: LockerdConfig, log: Logger): Hardware {
  const { doors, simBoards } = buildDoors(config.buses, componentLogger(log, 'bus'));
  const { inputs, simKeypad, simScanner } = buildInputs(config, componentLogger(log, 'input'));
  const sim: SimHardware = { boards: simBoards, keypad: simKeypad, scanner: simScanner };
  return { doors, inputs, sim, gpio: buildKioskGpio(config, componentLogger(log, 'input')) };
}
