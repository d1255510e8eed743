import type { Db } from './database.js';

export interface Unit {
  id: string;
  /** The unit or any of its residents needs low compartments. */
  accessible: boolean;
}

export interface Courier {
  id: string;
  carrier: string;
}

export type Source = 'config' | 'remote';

/**
 * Units (apartments), their residents, and couriers. Rows from the config file are replaced at
 * each start; rows upstream sent (`source = 'remote'`) are kept until upstream removes them.
 * Courier PINs and badges are stored only as keyed hashes.
 */
export class PeopleStore {
  readonly #unit;
  readonly #upsertUnit;
  readonly #deactivateConfigUnits;
  readonly #deactivateUnit;
  readonly #upsertResident;
  readonly #removeResident;
  readonly #courierByPin;
  readonly #courierByBadge;
  readonly #upsertCourier;
  readonly #deactivateConfigCouriers;
  readonly #deactivateCourier;
  readonly #courier;

  constructor(db: Db) {
    this.#unit = db.prepare<[string]>(
      `SELECT u.id, (u.accessible OR EXISTS (SELECT 1 FROM residents r WHERE r.unit = u.id AND r.accessible = 1)) AS accessible
       FROM units u WHERE u.id = ? AND u.active = 1`,
    );
    this.#upsertUnit = db.prepare<[string, number, string]>(
      `INSERT INTO units (id, accessible, active, source) VALUES (?, ?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET accessible = excluded.accessible, active = 1, source = excluded.source`,
    );
    this.#deactivateConfigUnits = db.prepare(`UPDATE units SET active = 0 WHERE source = 'config'`);
    this.#deactivateUnit = db.prepare<[string]>('UPDATE units SET active = 0 WHERE id = ? AND active = 1');
    this.#upsertResident = db.prepare<[string, string, number]>(
      `INSERT INTO residents (id, unit, accessible) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET unit = excluded.unit, accessible = excluded.accessible`,
    );
    this.#removeResident = db.prepare<[string]>('DELETE FROM residents WHERE id = ?');
    this.#courierByPin = db.prepare<[Buffer]>('SELECT id, carrier FROM couriers WHERE pin_hash = ? AND active = 1');
    this.#courierByBadge = db.prepare<[Buffer]>('SELECT id, carrier FROM couriers WHERE badge_hash = ? AND active = 1');
    this.#upsertCourier = db.prepare<[string, string, Buffer, Buffer | null, string]>(
      `INSERT INTO couriers (id, carrier, pin_hash, badge_hash, active, source) VALUES (?, ?, ?, ?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET carrier = excluded.carrier, pin_hash = excluded.pin_hash, badge_hash = excluded.badge_hash, active = 1, source = excluded.source`,
    );
    this.#deactivateConfigCouriers = db.prepare(`UPDATE couriers SET active = 0 WHERE source = 'config'`);
    this.#deactivateCourier = db.prepare<[string]>('UPDATE couriers SET active = 0 WHERE id = ? AND active = 1');
    this.#courier = db.prepare<[string]>('SELECT id, carrier, active FROM couriers WHERE id = ?');
  }

  /** A courier by id, also one no longer active (the record of an old delivery names them). */
  courier(id: string): (Courier & { active: boolean }) | undefined {
    const r = this.#courier.get(id) as { id: string; carrier: string; active: number } | undefined;
    return r && { id: r.id, carrier: r.carrier, active: r.active === 1 };
  }

  unit(id: string): Unit | undefined {
    const r = this.#unit.get(id) as { id: string; accessible: number } | undefined;
    return r && { id: r.id, accessible: r.accessible === 1 };
  }

  courierByPinHash(hash: Buffer): Courier | undefined {
    return this.#courierByPin.get(hash) as Courier | undefined;
  }

  courierByBadgeHash(hash: Buffer): Courier | undefined {
    return this.#courierByBadge.get(hash) as Courier | undefined;
  }

  /** Replaces the config's units and couriers (remote ones stay). Run in a transaction. */
  replaceFromConfig(units: Unit[], couriers: { id: string; carrier: string; pinHash: Buffer; badgeHash: Buffer | null }[]): void {
    this.#deactivateConfigUnits.run();
    for (const u of units) this.#upsertUnit.run(u.id, u.accessible ? 1 : 0, 'config');
    this.#deactivateConfigCouriers.run();
    for (const c of couriers) this.#upsertCourier.run(c.id, c.carrier, c.pinHash, c.badgeHash, 'config');
  }

  upsertUnit(unit: Unit, source: Source): void {
    this.#upsertUnit.run(unit.id, unit.accessible ? 1 : 0, source);
  }

  removeUnit(id: string): boolean {
    return this.#deactivateUnit.run(id).changes === 1;
  }

  upsertResident(id: string, unit: string, accessible: boolean): void {
    this.#upsertResident.run(id, unit, accessible ? 1 : 0);
  }

  removeResident(id: string): boolean {
    return this.#removeResident.run(id).changes === 1;
  }

  upsertCourier(c: { id: string; carrier: string; pinHash: Buffer; badgeHash: Buffer | null }, source: Source): void {
    this.#upsertCourier.run(c.id, c.carrier, c.pinHash, c.badgeHash, source);
  }

  removeCourier(id: string): boolean {
    return this.#deactivateCourier.run(id).changes === 1;
  }
}
