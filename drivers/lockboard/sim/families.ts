/**
 * The simulator's side of the family registry (../families.ts): each family's request framing
 * and answers. Kept apart so the daemon never loads simulator code; a family missing here is a
 * compile error, not a runtime surprise.
 */
import { clone8aSimulator } from '../clone-8a/simulator.js';
import type { ProtocolName } from '../families.js';
import { kerongCu16Simulator } from '../kerong-cu16/simulator.js';
import { modbusRtuSimulator } from '../modbus-rtu/simulator.js';
import type { SimFamily } from './family.js';

export const SIM_FAMILIES: Record<ProtocolName, SimFamily> = {
  'kerong-cu16': kerongCu16Simulator,
  'clone-8a': clone8aSimulator,
  'modbus-rtu': modbusRtuSimulator,
};
