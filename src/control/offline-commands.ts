/**
 * The control commands lockerctl may answer from the ledger itself when the daemon is stopped
 * (./offline.ts): those that only read it. Kept apart, without imports, so lockerctl knows them
 * without loading SQLite.
 */
export const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set(['status', 'compartments', 'parcels', 'parcel.show', 'parcels.export', 'parcels.flagged', 'outbox', 'audit', 'report', 'storage']);
