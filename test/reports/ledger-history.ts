/**
 * Writes a parcel's life into a ledger through its own stores, as src/locker/ does, at given
 * times: for report tests that need exact, known numbers.
 */
import type { CompartmentSize } from '../../src/config/types.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { uuidv7 } from '../../src/ledger/uuidv7.js';

let units = 0;

export function deliver(ledger: Ledger, p: { compartmentId: string; size: CompartmentSize; carrier: string | null; at: string; pickedUpAt?: string }): string {
  const at = Date.parse(p.at);
  const id = uuidv7(at);
  const unit = String(100 + ++units);
  ledger.transaction(() => {
    ledger.parcels.reserve({ id, unit, size: p.size, compartmentId: p.compartmentId, carrier: p.carrier, tracking: null, courierId: 'ups-demo', reservedAt: at - 30_000 });
    const codeId = ledger.codes.insert(unit, ledger.hasher.hash('code', `t-${id}`), at);
    ledger.parcels.markDeposited(id, codeId, at, at + 7 * 86_400_000);
    ledger.audit.record({ at, actor: 'courier:ups-demo', action: 'parcel.deposited', compartmentId: p.compartmentId, parcelId: id });
    if (p.pickedUpAt) {
      const end = Date.parse(p.pickedUpAt);
      ledger.parcels.end(id, 'deposited', 'picked_up', end);
      ledger.codes.end(codeId, 'used', end);
      ledger.audit.record({ at: end, actor: `resident:${unit}`, action: 'parcel.picked_up', compartmentId: p.compartmentId, parcelId: id });
    }
  });
  return id;
}

export function dropReturn(ledger: Ledger, p: { compartmentId: string; size: CompartmentSize; at: string }): void {
  const at = Date.parse(p.at);
  const id = uuidv7(at);
  ledger.transaction(() => {
    ledger.parcels.reserveReturn({ id, unit: '999', size: p.size, compartmentId: p.compartmentId, carrier: 'UPS', tracking: `RET${at}`, reservedAt: at - 30_000 });
    ledger.parcels.markReturnDeposited(id, at);
  });
}

export function audit(ledger: Ledger, at: string, action: string, compartmentId: string | null, detail?: Record<string, unknown>): void {
  ledger.transaction(() => ledger.audit.record({ at: Date.parse(at), actor: 'system', action, compartmentId, ...(detail ? { detail } : {}) }));
}
