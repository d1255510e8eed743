import { DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS } from '../../reports/build.js';
import { renderReportHtml } from '../../reports/html.js';
import type { Report } from '../../reports/report.js';
import { formatReportText } from '../../reports/text.js';
import { OutputFile } from '../output-file.js';
import { expectArgs, UsageError, type CliCommand, type EventSink, type Flags } from '../command.js';

const USAGE = 'report [--days N] [--html FILE]';

function daysFlag(flags: Flags): number {
  const v = flags['--days'];
  if (v === undefined) return DEFAULT_REPORT_DAYS;
  const n = typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPORT_DAYS) throw new UsageError(`--days must be a whole number of days from 1 to ${MAX_REPORT_DAYS}${typeof v === 'string' ? `, not "${v.slice(0, 40)}"` : ''}`);
  return n;
}

/**
 * The answer is one Report: printed as text or JSON, and with --html written as a page to a new
 * FILE on this side (never over an existing one; removed again if the daemon refuses).
 */
function reportSink(flags: Flags, out: (s: string) => void): EventSink {
  const file = flags['--html'];
  const page = typeof file === 'string' ? OutputFile.create(file, 0o644, 'a report') : undefined;
  return {
    event: () => {},
    close: (result) => {
      const report = result as Report;
      page?.write(renderReportHtml(report));
      page?.close();
      out(flags['--json'] === true ? `${JSON.stringify(report, null, 2)}\n` : page ? '' : formatReportText(report));
      return { message: page ? `report of ${report.period.days} days written to ${page.path}\n` : '', exitCode: 0 };
    },
    abort: () => page?.discard(),
  };
}

/** Reports for property managers (docs/reports.md). */
export const reportCliCommands: CliCommand[] = [
  {
    words: ['report'],
    usage: USAGE,
    summary: 'what the locker did, and whether it is big enough',
    group: 'locker',
    description:
      `For a property manager: deliveries and pickups per day and by carrier, peak hours, how long parcels wait, occupancy against capacity, couriers turned away, doors that needed attention, and per size whether the peak keeps the ~20% headroom installers recommend (and how many compartments to add). Covers the last N local days, today included (default ${DEFAULT_REPORT_DAYS}, at most ${MAX_REPORT_DAYS}). With --html, one self-contained page with charts, written here to a new FILE. Answers from the ledger when lockerd is stopped.`,
    examples: ['report', 'report --days 7', 'report --days 90 --html report.html', '--json report'],
    flags: [
      { name: '--days', value: true, arg: 'N', help: `the last N local days, today included (default ${DEFAULT_REPORT_DAYS})` },
      { name: '--html', value: true, arg: 'FILE', help: 'write the report as one HTML page with charts to this new FILE', complete: 'file' },
    ],
    request: (args, flags) => {
      expectArgs(args, 0, USAGE);
      return { command: 'report', args: { days: daysFlag(flags) } };
    },
    sink: reportSink,
    format: () => '',
  },
];
