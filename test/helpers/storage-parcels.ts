/**
 * Puts parcels on a room's shelf or a desk's place straight through the ledger's stores, as any
 * flow would leave them: the counting code must not care which flow put them there.
 */
import type { CompartmentSize } from '../../src/config/types.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { uuidv7 } from '../../src/ledger/uuidv7.js';

export function placeParcel(ledger: Ledger, p: { area: string; place: string; unit?: string; size?: CompartmentSize; at?: number; carrier?: string | null }): string {
  const at = p.at ?? Date.now();
  const id = uuidv7(at);
  const unit = p.unit ?? '101';
  ledger.transaction(() => {
    ledger.parcels.reserve({ id, unit, size: p.size ?? 'M', compartmentId: p.area, placeId: p.place, carrier: p.carrier ?? null, tracking: null, courierId: 'ups-demo', reservedAt: at - 1000 });
    // One live code per unit: a second parcel for it shares the code, as deposits do.
    const codeId = ledger.codes.liveForUnit(unit)?.id ?? ledger.codes.insert(unit, ledger.hasher.hash('code', `t-${id}`), at);
    ledger.parcels.markDeposited(id, codeId, at, at + 7 * 86_400_000);
    ledger.audit.record({ at, actor: 'courier:ups-demo', action: 'parcel.deposited', compartmentId: p.area, parcelId: id });
  });
  return id;
}
