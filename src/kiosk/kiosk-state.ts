import type { Courier } from '../ledger/people.js';

/**
 * Where the kiosk's one session is. Each flow owns its states (courier and resident in
 * ./session.ts, the others in ./flows/); a state's name is also the screen's step while in it.
 * A new flow adds its states here.
 */
export type KioskState =
  | { name: 'idle' }
  | { name: 'courier_scan'; courier: Courier }
  | { name: 'courier_unit'; courier: Courier; tracking: string; carrier: string | null }
  /** `share`: the unit's compartment this parcel may join ("add to A11", key C). */
  | { name: 'courier_size'; courier: Courier; tracking: string; carrier: string | null; unit: string; share?: string }
  /** `shared`: the parcel joins the unit's parcels in that compartment (`*` then means "no room"). */
  | { name: 'courier_door'; courier: Courier; parcelId: string; compartmentId: string; shared?: boolean }
  | { name: 'resident_doors'; waiting: Set<string> };

export type KioskStateName = KioskState['name'];
