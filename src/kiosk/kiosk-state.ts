import type { Courier } from '../ledger/people.js';
import type { ReturnLabel } from '../locker/returns.js';

/**
 * Where the kiosk's one session is. Each flow owns its states (courier and resident in
 * ./session.ts, the others in ./flows/); a state's name is also the screen's step while in it.
 * A new flow adds its states here.
 */
export type KioskState =
  | { name: 'idle' }
  | { name: 'courier_scan'; courier: Courier }
  | { name: 'courier_unit'; courier: Courier; tracking: string; carrier: string | null }
  | { name: 'courier_size'; courier: Courier; tracking: string; carrier: string | null; unit: string }
  | { name: 'courier_door'; courier: Courier; parcelId: string; compartmentId: string }
  | { name: 'resident_doors'; waiting: Set<string> }
  // Returns (./flows/returns.ts): a resident's drop-off, then a courier's collection door by door.
  | { name: 'return_label' }
  | { name: 'return_unit'; label: ReturnLabel; carrier: string }
  | { name: 'return_size'; label: ReturnLabel; carrier: string; unit: string }
  | { name: 'return_door'; parcelId: string; compartmentId: string; carrier: string }
  | { name: 'return_collect'; courier: Courier; parcelId: string; compartmentId: string; confirmed: boolean; stopping: boolean; collected: number; tried: Set<string> };

export type KioskStateName = KioskState['name'];
