import { DATE_FORMS, parcelIdOf, parseExportDate, type ProofOfDelivery } from '../../locker/proof-of-delivery.js';
import { expectArgs, UsageError, type CliCommand, type EventSink, type Flags } from '../command.js';
import { OutputFile } from '../output-file.js';
import { csvHeader, csvRow, formatProof, jsonLine } from '../proof-format.js';

const EXPORT_USAGE = 'export --format csv|json [--since DATE] [--out FILE]';

/** Where an export goes: a new FILE (mode 600, never over an existing one) or stdout. */
function exportSink(flags: Flags, out: (s: string) => void): EventSink {
  if (flags['--json'] === true) throw new UsageError('export writes JSON with --format json (one record per line); drop --json');
  const format = flags['--format'];
  if (format !== 'csv' && format !== 'json') throw new UsageError(`export needs --format csv or --format json${typeof format === 'string' ? `, not "${format}"` : ''}`);
  const file = flags['--out'];
  // Owner only: the records name units and residents' pickup times.
  const target = typeof file === 'string' ? OutputFile.create(file, 0o600, 'an export') : undefined;
  const path = target?.path;
  const write = (s: string): void => (target ? target.write(s) : out(s));
  const line = format === 'csv' ? csvRow : jsonLine;
  let count = 0;
  if (format === 'csv') write(csvHeader());
  return {
    event: (e) => {
      write(line(e as ProofOfDelivery));
      count++;
    },
    close: (result) => {
      const r = result as { stopped?: boolean; parcels?: number; since?: string | null; until?: string };
      if (r.stopped) {
        target?.discard();
        return { message: `lockerctl: export stopped after ${count} parcels; ${path ? `${path} removed` : 'the output is incomplete'}\n`, exitCode: 1 };
      }
      target?.close();
      const range = `reserved ${r.since ? `from ${r.since}` : 'since the ledger began'} to ${r.until ?? '?'}`;
      return { message: `${count} parcels (${range})${path ? ` written to ${path}` : ''}\n`, exitCode: 0 };
    },
    abort: () => target?.discard(),
  };
}

/** Proof of delivery: one parcel's record, and the export of all of them (README "Proof of delivery"). */
export const parcelCliCommands: CliCommand[] = [
  {
    words: ['parcels', 'show'],
    usage: 'parcels show ID',
    summary: "one parcel's proof of delivery: courier, deposit and pickup (with which credential), every door movement meanwhile",
    group: 'locker',
    description: "One parcel's proof of delivery: the courier and the deposit, the pickup and with which credential, and every door movement of its compartment meanwhile. ID is the parcel's UUID from lockerctl parcels.",
    examples: ['parcels show 01935c1e-7c2a-7000-8000-000000000001'],
    request: (args) => {
      expectArgs(args, 1, 'parcels show ID');
      const id = parcelIdOf(args[0]!);
      // The text is not repeated: a mistyped id may be a resident's code.
      if (id === null) throw new UsageError(`parcels show needs a parcel id, a UUID such as 01935c1e-7c2a-7000-8000-000000000001 (see lockerctl parcels); that was not one (${args[0]!.length} characters)`);
      return { command: 'parcel.show', args: { id } };
    },
    format: (result) => formatProof(result as ProofOfDelivery),
  },
  {
    words: ['parcels', 'resolve'],
    usage: 'parcels resolve ID taken|still-there',
    summary: 'staff resolve a flagged package room parcel: taken (picked up, confirmed by staff) or still-there (it waits on)',
    group: 'locker',
    description: "Resolves a parcel of lockerctl parcels flagged after looking at its shelf: taken, it is gone (picked up, confirmed by staff: parcel.picked_up with confirmedBy staff); still-there, it is on its shelf and keeps waiting, unflagged. Audited and sent upstream (parcel.pickup_resolved).",
    examples: ['parcels resolve 01935c1e-7c2a-7000-8000-000000000001 still-there'],
    request: (args) => {
      expectArgs(args, 2, 'parcels resolve ID taken|still-there');
      const id = parcelIdOf(args[0]!);
      if (id === null) throw new UsageError(`parcels resolve needs a parcel id, a UUID (see lockerctl parcels --flagged); that was not one (${args[0]!.length} characters)`);
      if (args[1] !== 'taken' && args[1] !== 'still-there') throw new UsageError('parcels resolve ID taken|still-there: say whether the parcel is gone from its shelf (taken) or on it (still-there)');
      return { command: 'parcel.resolve', args: { id, outcome: args[1] } };
    },
    format: (result) => {
      const r = result as { parcel: string; outcome: string; placeId: string };
      return r.outcome === 'taken' ? `parcel ${r.parcel} resolved: taken from ${r.placeId} (picked up)\n` : `parcel ${r.parcel} resolved: still on ${r.placeId}, waiting\n`;
    },
  },
  {
    words: ['export'],
    usage: EXPORT_USAGE,
    summary: 'the proof of delivery of every parcel reserved since DATE (default: all), oldest first, to stdout or a new FILE; never a code',
    group: 'locker',
    streams: true,
    progress: { label: 'exporting', unit: 'parcels', when: (flags) => flags['--out'] !== undefined },
    description: 'The proof of delivery of every parcel reserved since DATE (default: all), oldest first, as CSV or one JSON record per line, to stdout or to a new FILE (mode 600, never over an existing one). Never a code. The summary goes to stderr.',
    examples: ['export --format csv --since 2026-11-01 --out november.csv', 'export --format json | jq .parcelId'],
    flags: [{ name: '--format', value: true, arg: 'csv|json', help: 'CSV, or one JSON record per line', complete: ['csv', 'json'] }, { name: '--since', value: true, arg: 'DATE', help: 'parcels reserved from DATE (2026-11-01 or an ISO time)' }, { name: '--out', value: true, arg: 'FILE', help: 'write to this new FILE instead of stdout', complete: 'file' }],
    request: (args, flags) => {
      expectArgs(args, 0, EXPORT_USAGE);
      const since = flags['--since'];
      if (since === undefined) return { command: 'parcels.export', args: {} };
      const ms = typeof since === 'string' ? parseExportDate(since) : null;
      if (ms === null) throw new UsageError(`--since must be ${DATE_FORMS}${typeof since === 'string' ? `, not "${since}"` : ''}`);
      return { command: 'parcels.export', args: { since: new Date(ms).toISOString() } };
    },
    sink: exportSink,
    format: () => '',
  },
];
