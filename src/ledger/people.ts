import type { Db } from './database.js';

export interface Unit {
  id: string;
  accessible: boolean;
}

export interface Courier {
  id: string;
  carrier: string;
}

/** Units (apartments) and couriers. Courier PINs are stored only as keyed hashes. */
export class PeopleStore {
  readonly #unit;
  readonly #upsertUnit;
  readonly #deactivateUnits;
  readonly #courierByPin;
  readonly #upsertCourier;
  readonly #deactivateCouriers;

  constructor(db: Db) {
    this.#unit = db.prepare<[string]>('SELECT id, accessible FROM units WHERE id = ? AND active = 1');
    this.#upsertUnit = db.prepare<[string, number]>(
      `INSERT INTO units (id, accessible, active) VALUES (?, ?, 1)
       ON CONFLICT (id) DO UPDATE SET accessible = excluded.accessible, active = 1`,
    );
    this.#deactivateUnits = db.prepare('UPDATE units SET active = 0');
    this.#courierByPin = db.prepare<[Buffer]>('SELECT id, carrier FROM couriers WHERE pin_hash = ? AND active = 1');
    this.#upsertCourier = db.prepare<[string, string, Buffer]>(
      `INSERT INTO couriers (id, carrier, pin_hash, active) VALUES (?, ?, ?, 1)
       ON CONFLICT (id) DO UPDATE SET carrier = excluded.carrier, pin_hash = excluded.pin_hash, active = 1`,
    );
    this.#deactivateCouriers = db.prepare('UPDATE couriers SET active = 0');
  }

  unit(id: string): Unit | undefined {
    const r = this.#unit.get(id) as { id: string; accessible: number } | undefined;
    return r && { id: r.id, accessible: r.accessible === 1 };
  }

  courierByPinHash(hash: Buffer): Courier | undefined {
    return this.#courierByPin.get(hash) as Courier | undefined;
  }

  /** Replaces the set of active units and couriers (the config is their source for now). Run in a transaction. */
  replaceAll(units: Unit[], couriers: { id: string; carrier: string; pinHash: Buffer }[]): void {
    this.#deactivateUnits.run();
    for (const u of units) this.#upsertUnit.run(u.id, u.accessible ? 1 : 0);
    this.#deactivateCouriers.run();
    for (const c of couriers) this.#upsertCourier.run(c.id, c.carrier, c.pinHash);
  }
}
