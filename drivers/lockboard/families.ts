/**
 * The registry of lock-board families: each one is a folder of drivers/lockboard/ (codec,
 * `family.ts`, `simulator.ts`) and one line in `REGISTERED` below (its simulator is listed in
 * sim/families.ts, which the compiler then asks for). The config's `protocol` values, their
 * address ranges and lock counts, the door controller and `lockerctl bus scan` all come from
 * here (docs/lockboards.md, "Adding a family").
 */
import { clone8a } from './clone-8a/family.js';
import type { Family } from './family.js';
import { kerongCu16 } from './kerong-cu16/family.js';
import { modbusRtu } from './modbus-rtu/family.js';

/** Every family lockerd drives, in the order the docs and the config's enum list them. */
const REGISTERED = [kerongCu16, clone8a, modbusRtu] as const;

export type ProtocolName = (typeof REGISTERED)[number]['name'];

export const PROTOCOLS: readonly ProtocolName[] = REGISTERED.map((f) => f.name);

export const FAMILIES = Object.fromEntries(REGISTERED.map((f) => [f.name, f])) as Record<ProtocolName, Family>;
