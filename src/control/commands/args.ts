/** Checks of the arguments a request carries: a malformed or missing one is a `usage` error. */
import type { BusScanRange } from '../../../drivers/contracts.js';
import { MAX_BOARD_ADDRESS } from '../../config/schema.js';
import type { Compartment } from '../../ledger/compartments.js';
import type { Ledger } from '../../ledger/ledger.js';
import { CommandError } from '../protocol.js';

export function str(args: Record<string, unknown>, name: string, max = 1024): string {
  const v = args[name];
  if (typeof v !== 'string' || v.length === 0) throw new CommandError(`missing argument "${name}"`, 'usage');
  if (v.length > max) throw new CommandError(`argument "${name}" is longer than ${max} characters`, 'usage');
  return v;
}

export function limit(args: Record<string, unknown>, fallback: number): number {
  const v = args.limit;
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10_000) throw new CommandError('"limit" must be a whole number from 1 to 10000', 'usage');
  return v;
}

/** A true/false flag: absent is false. */
export function flag(args: Record<string, unknown>, name: string): boolean {
  const v = args[name];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new CommandError(`"${name}" must be true or false`, 'usage');
  return v;
}

/** The optional address range of a bus scan: both ends or neither, 0 to 247, in order. */
export function scanRange(args: Record<string, unknown>): BusScanRange | undefined {
  if (args.from === undefined && args.to === undefined) return undefined;
  const end = (name: 'from' | 'to'): number => {
    const v = args[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_BOARD_ADDRESS) throw new CommandError(`"${name}" must be a bus address from 0 to ${MAX_BOARD_ADDRESS}`, 'usage');
    return v;
  };
  const range = { from: end('from'), to: end('to') };
  if (range.from > range.to) throw new CommandError(`the scan range ${range.from}-${range.to} is backwards; give the lower address first`, 'usage');
  return range;
}

/** `after`: an outbox seq, the oldest one of the page shown before (see the outbox handler). */
export function afterSeq(args: Record<string, unknown>): number | undefined {
  const v = args.after;
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new CommandError('"after" must be an outbox seq: a whole number of at least 1', 'usage');
  return v;
}

/** The compartment named by `compartment`, or `not_found`. */
export function compartmentArg(ledger: Ledger, args: Record<string, unknown>): Compartment {
  const id = str(args, 'compartment', 64);
  const compartment = ledger.compartments.get(id);
  if (!compartment) throw new CommandError(`unknown compartment "${id}"; see lockerctl compartments`, 'not_found');
  return compartment;
}
