import { expectArgs, type CliCommand } from '../command.js';
import { table } from '../format-table.js';
import type { AreaCount, StorageCounts } from '../../locker/storage-inventory.js';

type StorageAnswer = StorageCounts & { station: string };

function areaBlock(a: AreaCount): string {
  const state = a.outOfService ? `OUT OF SERVICE: ${a.outOfService}` : 'in service';
  const head = `${a.kind} ${a.id}: ${a.parcels} of ${a.capacity} parcels, ${a.free} free; ${state}`;
  const rows = a.places.map((p) => ({ place: p.id, size: p.size, parcels: p.parcels, capacity: p.capacity, free: p.free, state: !p.active ? 'inactive (not in the config)' : p.parcels > p.capacity ? 'OVER CAPACITY' : a.outOfService ? '' : p.free === 0 ? 'full' : '' }));
  return `${head}\n${rows.length > 0 ? table(rows, ['place', 'size', 'parcels', 'capacity', 'free', 'state']) : '  no places\n'}`;
}

/** The rooms and desks (docs/storage.md). */
export const storageCliCommands: CliCommand[] = [
  {
    words: ['storage'],
    usage: 'storage',
    summary: "rooms and desks: each shelf or place with its parcels against its capacity, and what is out of service or inactive",
    group: 'locker',
    description: "The station's storage by kind: the lockers counted in compartments, then each package room and front desk with its shelves or places, their parcels against their capacity, and what is out of service (the room or desk) or inactive (a place dropped from the config that still holds parcels). No parcel ids or units: lockerctl parcels lists those. Answers from the ledger when lockerd is stopped.",
    examples: ['storage', "--json storage | jq '.rooms[] | {id, free}'"],
    request: (args) => (expectArgs(args, 0, 'storage'), { command: 'storage', args: {} }),
    format: (result) => {
      const s = result as StorageAnswer;
      const l = s.lockers;
      const areas = [...s.rooms, ...s.desks];
      return [
        `station serves: ${s.station}`,
        `lockers: ${l.total} compartments, ${l.free} free, ${l.occupied} occupied, ${l.outOfService} out of service; ${l.parcels} parcels`,
        ...(areas.length === 0 ? ['no rooms or desks in the ledger'] : areas.map((a) => `\n${areaBlock(a).trimEnd()}`)),
        '',
      ].join('\n');
    },
  },
];
