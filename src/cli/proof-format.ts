/**
 * How lockerctl writes proof-of-delivery records (src/locker/proof-of-delivery.ts): as text for
 * `parcels show`, as CSV rows or JSON lines for `export`. Pure: records in, text out.
 */
import type { DoorMovement, ProofOfDelivery } from '../locker/proof-of-delivery.js';
import { table } from './format-table.js';

/** One line per door movement, e.g. `2026-12-01T10:00:00.000Z pickup (operation 7) by resident:101: closed (confirmed_open), opened ..., ended ...`. */
export function describeMovement(m: DoorMovement, compartmentId: string): string {
  const where = m.compartmentId === compartmentId ? '' : ` at ${m.compartmentId}`;
  if (m.kind === 'event') return `${m.at} ${m.action}${where} by ${m.actor}`;
  const reason = m.reason === null ? '' : ` for "${m.reason}"`;
  const whose = m.parcelId === null ? ', no parcel' : '';
  const how = m.credential === null ? '' : ` with ${m.credential}`;
  return `${m.requestedAt} ${m.purpose} (operation ${m.operationId})${where} by ${m.actor}${how}${reason}${whose}: ${m.state}${m.outcome ? ` (${m.outcome})` : ''}, opened ${m.openedAt ?? '-'}, ended ${m.endedAt ?? '-'}`;
}

const CREDENTIAL_WORDS: Record<string, string> = { code: 'the retrieval code', qr: 'the pickup QR code', staff: 'a staff login', unknown: 'a credential not recorded (a pickup from before lockerd recorded it)' };

/** `lockerctl parcels show ID`: what a property manager reads, top to bottom. */
export function formatProof(r: ProofOfDelivery): string {
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`${label.padEnd(12)} ${value}`);
  };
  row('parcel', `${r.parcelId} (${r.state})`);
  row('unit', `${r.unit}, compartment ${r.compartmentId} (size ${r.size})`);
  row('carrier', `${r.carrier ?? '-'}, tracking ${r.tracking ?? '-'}`);
  row('courier', r.courier ? `${r.courier.id}${r.courier.carrier ? ` (${r.courier.carrier})` : ' (no longer in the ledger)'}` : '-');
  row('reserved', r.reservedAt);
  if (r.deposit) {
    row('deposited', `${r.deposit.depositedAt}: door opened ${r.deposit.doorOpenedAt ?? '-'}, closed ${r.deposit.doorClosedAt ?? '-'}${r.deposit.operationId === null ? '' : ` (operation ${r.deposit.operationId})`}`);
  } else {
    row('deposited', 'no (the deposit did not complete)');
  }
  if (r.codeId !== null) row('code', `id ${r.codeId} (the code itself is never shown)`);
  if (r.expiresAt) row('hold until', r.expiresAt);
  if (r.pickup) {
    const p = r.pickup;
    row('picked up', `${p.at} by ${p.actor} with ${CREDENTIAL_WORDS[p.via] ?? p.via}: door opened ${p.doorOpenedAt ?? '-'}, closed ${p.doorClosedAt ?? '-'}${p.operationId === null ? '' : ` (operation ${p.operationId})`}`);
  }
  if (r.ended && r.ended.state !== 'picked_up') {
    const e = r.ended;
    row(e.state, `${e.at}${e.actor ? ` by ${e.actor}` : ''}${e.action ? ` (${e.action}${e.reason ? `: ${e.reason}` : ''})` : ''}`);
  }
  if (r.placeId !== null) row('place', `${r.placeId} at ${r.compartmentId}`);
  if (r.collector !== null) row('collected by', `${r.collector} (authorised by the resident)`);
  if (r.signature) {
    const s = r.signature;
    row('signed', `${s.at} at ${s.desk}, handed over by staff ${s.staffId}, for unit ${s.unit}${s.collector ? ` by ${s.collector}` : ''} (signature ${s.id}, ${s.parcels.length} parcel(s))`);
    row('statement', `"${s.statement}"`);
    row('sha256', `${s.sha256} (${s.hashVerifies ? 'verifies' : 'DOES NOT VERIFY: the record was altered'})`);
    row('path', `${s.path} (SVG path data on a ${s.pad.width}x${s.pad.height} pad)`);
    row('hashed text', s.canonical);
  }
  if (!r.ended) row('now', r.placeId !== null ? `waiting on ${r.placeId}` : 'in the locker');
  lines.push('');
  lines.push(`door movements of ${r.compartmentId} from ${r.window.from} to ${r.window.to ?? 'now'} (${r.doorMovements.length}):`);
  lines.push(...(r.doorMovements.length === 0 ? ['  none'] : r.doorMovements.map((m) => `  ${describeMovement(m, r.compartmentId)}`)));
  lines.push('');
  lines.push('audit trail of the parcel:');
  lines.push(
    table(
      r.history.map((h) => ({ ...h, detail: h.detail ? JSON.stringify(h.detail) : null })),
      ['at', 'actor', 'action', 'compartmentId', 'detail'],
    ).trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

/** The CSV columns of `export --format csv`, in order; each row is one parcel. */
export const CSV_COLUMNS: readonly [string, (r: ProofOfDelivery) => string | number | null][] = [
  ['parcel_id', (r) => r.parcelId],
  ['state', (r) => r.state],
  ['unit', (r) => r.unit],
  ['size', (r) => r.size],
  ['compartment', (r) => r.compartmentId],
  ['carrier', (r) => r.carrier],
  ['tracking', (r) => r.tracking],
  ['courier_id', (r) => r.courier?.id ?? null],
  ['courier_carrier', (r) => r.courier?.carrier ?? null],
  ['code_id', (r) => r.codeId],
  ['reserved_at', (r) => r.reservedAt],
  ['deposit_door_opened_at', (r) => r.deposit?.doorOpenedAt ?? null],
  ['deposit_door_closed_at', (r) => r.deposit?.doorClosedAt ?? null],
  ['deposited_at', (r) => r.deposit?.depositedAt ?? null],
  ['expires_at', (r) => r.expiresAt],
  ['pickup_at', (r) => r.pickup?.at ?? null],
  ['pickup_by', (r) => r.pickup?.actor ?? null],
  ['pickup_via', (r) => r.pickup?.via ?? null],
  ['pickup_door_opened_at', (r) => r.pickup?.doorOpenedAt ?? null],
  ['pickup_door_closed_at', (r) => r.pickup?.doorClosedAt ?? null],
  ['ended_state', (r) => r.ended?.state ?? null],
  ['ended_at', (r) => r.ended?.at ?? null],
  ['ended_by', (r) => r.ended?.actor ?? null],
  ['ended_action', (r) => r.ended?.action ?? null],
  ['ended_reason', (r) => r.ended?.reason ?? null],
  ['door_movement_count', (r) => r.doorMovements.length],
  ['door_movements', (r) => r.doorMovements.map((m) => describeMovement(m, r.compartmentId)).join(' | ')],
  ['place', (r) => r.placeId],
  ['collector', (r) => r.collector],
  ['signature_id', (r) => r.signature?.id ?? null],
  ['signed_at', (r) => r.signature?.at ?? null],
  ['signature_staff', (r) => r.signature?.staffId ?? null],
  ['signature_statement', (r) => r.signature?.statement ?? null],
  ['signature_sha256', (r) => r.signature?.sha256 ?? null],
  ['signature_verifies', (r) => (r.signature ? String(r.signature.hashVerifies) : null)],
  ['signature_path', (r) => r.signature?.path ?? null],
];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A text a
 * spreadsheet would run as a formula (= + - @ first) gets a leading apostrophe (OWASP's advice):
 * a tracking number or reason typed by anyone must not become a formula on the manager's PC.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`;
}

export function csvRow(r: ProofOfDelivery): string {
  return `${CSV_COLUMNS.map(([, get]) => csvField(get(r))).join(',')}\r\n`;
}

/** `export --format json`: one record per line (JSON Lines), the same object as `parcels show --json`. */
export function jsonLine(r: ProofOfDelivery): string {
  return `${JSON.stringify(r)}\n`;
}
