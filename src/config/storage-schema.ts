/**
 * The settings of the storage kinds beside the locker bank (docs/storage.md): package rooms
 * (one door, shelves inside) and front desks (no door, named storage places, staff only), and
 * what this station's kiosk serves. Spread into ./schema.ts; same conventions.
 */
import { COMPARTMENT_SIZES } from './types.js';

type Schema = Record<string, unknown>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const STORAGE_KINDS = ['lockers', 'room', 'desk'] as const;
/** Shelves, storage places, rooms and desks are named like compartments (they share one namespace). */
export const PLACE_ID_PATTERN = '^[A-Za-z0-9-]{1,16}$';
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]{1,64}$';

const idText = (title: string): Schema => ({ type: 'string', pattern: PLACE_ID_PATTERN, description: '1 to 16 letters, digits or "-"', title });
const nameText = (title: string): Schema => ({ type: 'string', pattern: PRINTABLE, description: '1 to 64 printable characters', title });

function places(what: string, max: number): Schema {
  return {
    type: 'array',
    minItems: 1,
    maxItems: max,
    title: `The ${what}s. At least 1.`,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'capacity'],
      properties: {
        id: idText(`The ${what}'s name as its label says, e.g. \`R-A\`; a courier may scan a label carrying it. Unique across compartments, rooms, desks, shelves and places.`),
        capacity: { type: 'integer', minimum: 1, maximum: 500, title: `Parcels the ${what} holds. Allocation never puts more on it.` },
        size: { enum: [...COMPARTMENT_SIZES], default: 'XL', title: `The biggest parcel the ${what} takes; parcels given its place without a size are recorded at this size.` },
      },
    },
  };
}

export const storageSchemas: Record<string, Schema> = {
  storage: {
    enum: [...STORAGE_KINDS],
    default: 'lockers',
    title: 'What this station\'s kiosk serves: `lockers` (compartments behind their own doors; rooms and desks may take their overflow), `room` (the kiosk of the one package room in `rooms`: couriers and residents enter it), or `desk` (the front desk in `desks`: staff log parcels in and hand them over with a signature).',
  },
  rooms: {
    title: 'Package rooms: one door on a lock board (a relay board counts, e.g. `modbus-rtu`) with its latch sensor, and shelves inside.',
    type: 'array',
    maxItems: 8,
    default: [],
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'board', 'lock', 'shelves'],
      properties: {
        id: idText('The room\'s name, e.g. `ROOM`. Unique across compartments, rooms, desks, shelves and places.'),
        name: nameText('Shown on the screen ("Package room"). Unset: the id.'),
        board: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,16}$', description: 'a board id: 1 to 16 letters, digits, "_" or "-"', title: 'Board that drives the room door\'s lock (or strike). The id of a configured board.' },
        lock: { type: 'integer', minimum: 1, maximum: 64, title: 'Lock number of the room door on the board, counted from 1.' },
        shelves: places('shelf', 128),
        pickupConfirm: {
          enum: ['scan', 'done'],
          default: 'scan',
          title: 'How a resident confirms taking a parcel: `scan` its label at the kiosk on the way out, or also `done` on the screen (marks all their parcels picked up).',
        },
        scanOutWithinMs: { type: 'integer', minimum: MINUTE, maximum: DAY, default: 30 * MINUTE, title: 'A resident let into the room whose parcels are not scanned out within this time: those parcels are flagged for staff (`parcel.pickup_unconfirmed`).' },
        sessionMs: { type: 'integer', minimum: MINUTE, maximum: 4 * HOUR, default: 20 * MINUTE, title: 'A courier\'s session in the room ends after this long without a scan.' },
      },
    },
  },
  desks: {
    title: 'Front desks: no door; named storage places behind the desk; staff log parcels in and hand them over.',
    type: 'array',
    maxItems: 8,
    default: [],
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'places'],
      properties: {
        id: idText('The desk\'s name, e.g. `DESK`. Unique across compartments, rooms, desks, shelves and places.'),
        name: nameText('Shown on the screen ("Front desk"). Unset: the id.'),
        places: places('storage place', 256),
        statement: {
          type: 'string',
          pattern: '^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f]{10,600}$',
          description: '10 to 600 printable characters',
          default: 'I confirm that I received the parcels listed above.',
          title: 'The statement the resident signs at pickup; stored word for word with each signature.',
        },
      },
    },
  },
};

/** `allocation.overflow`: where parcels go when no compartment of their size is free. */
export const overflowSchema: Schema = {
  type: 'array',
  maxItems: 8,
  default: [],
  title: 'Where a parcel goes when no compartment fits, in order: `{"to": "ROOM", "sizes": ["L","XL"]}` sends parcels of those sizes to a shelf of that package room. A front desk is refused here (a hand-over at the desk would need a flow of its own). `[]`: the courier is told the locker is full.',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['to'],
    properties: {
      to: idText('A package room\'s id.'),
      sizes: { type: 'array', items: { enum: [...COMPARTMENT_SIZES] }, minItems: 1, maxItems: 4, uniqueItems: true, default: [...COMPARTMENT_SIZES], title: 'The parcel sizes that may go there. Unset: all.' },
    },
  },
};
