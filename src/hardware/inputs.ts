import type { InputDevice } from '../../drivers/contracts.js';
import { SimInput } from '../../drivers/sim/input.js';
import type { LockerdConfig } from '../config/types.js';
import type { Logger } from '../log.js';

export interface BuiltInputs {
  inputs: InputDevice[];
  /** The simulated keypad and scanner that `lockerctl sim keys|scan` feed. Always present: they cost nothing. */
  simKeypad: SimInput;
  simScanner: SimInput;
}

/** The kiosk's scanners and keypads. Real devices load their native modules here, lazily. */
export function buildInputs(_config: LockerdConfig, _log: Logger): BuiltInputs {
  const simKeypad = new SimInput('sim-keypad');
  const simScanner = new SimInput('sim-scanner');
  return { inputs: [simKeypad, simScanner], simKeypad, simScanner };
}
