import type { Db } from './database.js';
import type { Source } from './people.js';

/** Someone of the property's staff: logs in at the kiosk to the staff menu. */
export interface StaffMember {
  id: string;
  name: string | null;
}

export interface StaffCredentials {
  id: string;
  name: string | null;
  pinHash: Buffer;
  badgeHash: Buffer | null;
}

/**
 * Staff members (migration 5). Like couriers: config rows are replaced at each start, upstream's
 * (`source = 'remote'`) stay until upstream removes them; PINs and badges only as keyed hashes.
 */
export class StaffStore {
  readonly #byPin;
  readonly #byBadge;
  readonly #upsert;
  readonly #deactivateConfig;
  readonly #deactivate;

  constructor(db: Db) {
    this.#byPin = db.prepare<[Buffer]>('SELECT id, name FROM staff WHERE pin_hash = ? AND active = 1');
    this.#byBadge = db.prepare<[Buffer]>('SELECT id, name FROM staff WHERE badge_hash = ? AND active = 1');
    this.#upsert = db.prepare<[string, string | null, Buffer, Buffer | null, string]>(
      `INSERT INTO staff (id, name, pin_hash, badge_hash, active, source) VALUES (?, ?, ?, ?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, pin_hash = excluded.pin_hash, badge_hash = excluded.badge_hash, active = 1, source = excluded.source`,
    );
    this.#deactivateConfig = db.prepare(`UPDATE staff SET active = 0 WHERE source = 'config'`);
    this.#deactivate = db.prepare<[string]>('UPDATE staff SET active = 0 WHERE id = ? AND active = 1');
  }

  byPinHash(hash: Buffer): StaffMember | undefined {
    return this.#byPin.get(hash) as StaffMember | undefined;
  }

  byBadgeHash(hash: Buffer): StaffMember | undefined {
    return this.#byBadge.get(hash) as StaffMember | undefined;
  }

  /** Replaces the config's staff (upstream's stay). Run in a transaction. */
  replaceFromConfig(members: StaffCredentials[]): void {
    this.#deactivateConfig.run();
    for (const m of members) this.#upsert.run(m.id, m.name, m.pinHash, m.badgeHash, 'config');
  }

  upsert(m: StaffCredentials, source: Source): void {
    this.#upsert.run(m.id, m.name, m.pinHash, m.badgeHash, source);
  }

  remove(id: string): boolean {
    return this.#deactivate.run(id).changes === 1;
  }
}
