import type { Courier } from '../ledger/people.js';
import type { ReturnLabel } from '../locker/returns.js';
import type { StaffMember } from '../ledger/staff.js';
import type { AuditTally } from '../locker/staff.js';
import type { PickupAuthorisation } from '../ledger/authorisations.js';
import type { DeskParcel } from '../locker/desk.js';

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
  /** `placeId`: no compartment was free, the parcel overflowed onto that shelf of the room `compartmentId`. */
  | { name: 'courier_door'; courier: Courier; parcelId: string; compartmentId: string; shared?: boolean; placeId?: string }
  /** `holdEnded`: the code also covers parcels it no longer opens (their hold ended): the goodbye sends the resident to the office. */
  | { name: 'resident_doors'; waiting: Set<string>; holdEnded?: boolean }
  // Returns (./flows/returns.ts): a resident's drop-off, then a courier's collection door by door.
  | { name: 'return_label' }
  | { name: 'return_unit'; label: ReturnLabel; carrier: string }
  | { name: 'return_size'; label: ReturnLabel; carrier: string; unit: string }
  | { name: 'return_door'; parcelId: string; compartmentId: string; carrier: string }
  | { name: 'return_collect'; courier: Courier; parcelId: string; compartmentId: string; confirmed: boolean; stopping: boolean; collected: number; tried: Set<string> }
  // Staff (./flows/staff.ts): `queue` is the expired parcels still to recall, null for a single recall.
  | { name: 'staff_menu'; staff: StaffMember }
  | { name: 'staff_pick'; staff: StaffMember; action: 'open' | 'recall' | 'service' }
  | { name: 'staff_open_reason'; staff: StaffMember; compartmentId: string }
  | { name: 'staff_service_reason'; staff: StaffMember; compartmentId: string }
  | { name: 'staff_door'; staff: StaffMember; compartmentId: string }
  | { name: 'staff_recall_confirm'; staff: StaffMember; parcelId: string; compartmentId: string; queue: string[] | null }
  | { name: 'staff_recall_door'; staff: StaffMember; parcelId: string; unit: string; compartmentId: string; queue: string[] | null; answered: boolean; closed: boolean }
  | { name: 'staff_audit_door'; staff: StaffMember; walkId: string; compartmentId: string; remaining: string[]; tally: AuditTally; answered: boolean; closed: boolean; stopping: boolean }
  // Front desk (./flows/desk.ts): intake scan → unit → place; pickup code → parcels → signature.
  | { name: 'desk_menu'; staff: StaffMember }
  | { name: 'desk_scan'; staff: StaffMember }
  | { name: 'desk_unit'; staff: StaffMember; tracking: string; carrier: string | null }
  | { name: 'desk_place'; staff: StaffMember; tracking: string; carrier: string | null; unit: string }
  | { name: 'desk_code'; staff: StaffMember }
  /** `collector`: the authorised collector staff chose (null: the resident signs for themself). */
  | ({ name: 'desk_parcels' } & DeskHandover)
  | ({ name: 'desk_sign' } & DeskHandover)
  // Package room (./flows/room.ts): a courier's session in the room, a resident scanning out.
  | { name: 'room_scan'; courier: Courier; roomId: string; credential: 'pin' | 'badge' }
  | { name: 'room_unit'; courier: Courier; roomId: string; credential: 'pin' | 'badge'; tracking: string; carrier: string | null }
  | { name: 'room_shelf'; courier: Courier; roomId: string; credential: 'pin' | 'badge'; tracking: string; carrier: string | null; unit: string; shelf: string }
  /** `parcels`: the resident's room parcels still to scan out, with their shelves. */
  | { name: 'room_resident'; roomId: string; unit: string; codeId: number; parcels: RoomParcel[] };

/** A desk pickup under way: the parcels found for the code, and who collects them. */
export interface DeskHandover {
  staff: StaffMember;
  unit: string;
  codeId: number;
  via: 'code' | 'qr';
  parcels: DeskParcel[];
  collectors: PickupAuthorisation[];
  collector: PickupAuthorisation | null;
}

export type KioskStateName = KioskState['name'];

/** A resident's parcel in a room, as the kiosk lists it. */
export interface RoomParcel {
  parcelId: string;
  placeId: string;
  tracking: string | null;
}
