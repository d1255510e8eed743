import { buildReportSliced, DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS, periodOfDays } from '../../reports/build.js';
import { Calendar } from '../../reports/calendar.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';
import type { LedgerContext } from './context.js';

/** `days`: a whole number of days, 1..MAX_REPORT_DAYS (default DEFAULT_REPORT_DAYS). */
export function reportDaysArg(args: Record<string, unknown>): number {
  const v = args.days;
  if (v === undefined || v === null) return DEFAULT_REPORT_DAYS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_REPORT_DAYS) {
    throw new CommandError(`"days" must be a whole number of days from 1 to ${MAX_REPORT_DAYS}, not ${JSON.stringify(v)?.slice(0, 40) ?? typeof v}`, 'usage');
  }
  return v;
}

/**
 * `report`: the Report (src/reports/report.ts) of the last `days` local days, today included,
 * computed from the ledger a slice per turn of the event loop (the kiosk shares it). A read:
 * nothing is audited, and it answers from the ledger when the daemon is stopped too.
 */
export function reportCommands(ctx: LedgerContext, calendar: Calendar = new Calendar()): Map<string, CommandHandler> {
  const { now } = ctx;
  return new Map<string, CommandHandler>([
    ['report', (args, { signal }) => {
      const days = reportDaysArg(args);
      const at = now();
      return buildReportSliced(ctx.ledger, { period: periodOfDays(days, at, calendar), calendar, kioskId: ctx.config.kioskId, now: at, station: ctx.config.storage }, signal);
    }],
  ]);
}
