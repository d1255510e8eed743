import type { LockerdConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';

/** Why a compartment dropped from the config is out of service; only the config brings it back. */
export const NOT_IN_CONFIG = 'not in the config';

/**
 * Brings the ledger's compartments, units and couriers in line with the config, in one
 * transaction. Units and couriers that upstream manages are left alone. A compartment dropped from the config is taken out of service, never deleted:
 * its history (and maybe a parcel) stays.
 */
export function applyConfig(ledger: Ledger, config: LockerdConfig, now: number): void {
  ledger.transaction(() => {
    const configured = new Set(config.compartments.map((c) => c.id));
    for (const c of config.compartments) {
      ledger.compartments.upsert(c);
      if (ledger.compartments.get(c.id)?.outOfService === NOT_IN_CONFIG) ledger.compartments.setOutOfService(c.id, null);
    }
    for (const c of ledger.compartments.all()) {
      if (!configured.has(c.id) && c.outOfService === null) ledger.compartments.setOutOfService(c.id, NOT_IN_CONFIG);
    }
    ledger.people.replaceFromConfig(
      config.units,
      config.couriers.map((c) => ({ id: c.id, carrier: c.carrier, pinHash: ledger.hasher.hash('pin', c.pin), badgeHash: null })),
    );
    ledger.staff.replaceFromConfig(
      config.staff.map((m) => ({ id: m.id, name: m.name ?? null, pinHash: ledger.hasher.hash('pin', m.pin), badgeHash: m.badge ? ledger.hasher.hash('token', m.badge) : null })),
    );
    ledger.audit.record({
      at: now,
      actor: 'system',
      action: 'config.applied',
      detail: { compartments: config.compartments.length, units: config.units.length, couriers: config.couriers.length, staff: config.staff.length },
    });
  });
}
