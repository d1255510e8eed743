/** The report as a short text for the terminal (lockerctl report). Pure. */
import { COMPARTMENT_SIZES } from '../config/types.js';
import { carrierName, duration, hourLabel, localDate, plural, WEEKDAYS } from './format.js';
import type { DoorAttention, Report } from './report.js';
import { kindSentence, sizeSentence } from './sizing.js';

function doorWords(d: DoorAttention): string {
  return [
    d.failedOpens > 0 ? plural(d.failedOpens, 'failed open') : '',
    d.jammed > 0 ? plural(d.jammed, 'jam') : '',
    d.forced > 0 ? `forced ${plural(d.forced, 'time')}` : '',
    d.leftOpen > 0 ? `left open ${plural(d.leftOpen, 'time')}` : '',
  ].filter(Boolean).join(', ');
}

const hasAreas = (r: Report): boolean => r.storage.kinds.some((k) => k.id !== null);

/** At a station with rooms or desks: the parcels the lockers sent to them. */
function storageLines(r: Report): string[] {
  if (!hasAreas(r) || r.storage.station !== 'lockers') return [];
  const o = r.storage.overflow;
  return [`  to the overflow ${o.parcels === 0 ? 'none' : `${o.parcels} (${o.byArea.map((a) => `${a.id} ${a.parcels}`).join(', ')}): no compartment of their size was free`}`];
}

export function formatReportText(r: Report): string {
  const tz = r.timeZone;
  const t = r.totals;
  const d = r.dwell.all;
  const lines = [
    `Locker ${r.kioskId}: ${localDate(r.period.from, tz)} to ${localDate(r.period.to, tz, true)} (${plural(r.period.days, 'day')}, ${tz})`,
    `  deliveries      ${t.deliveries} (${(t.deliveries / Math.max(1, r.period.days)).toFixed(1)} a day), pickups ${t.pickups}, returns ${t.returns}, in the locker now ${t.waitingNow}`,
    `  waiting time    ${d.parcels > 0 ? `half under ${duration(d.p50)}, 9 in 10 under ${duration(d.p90)}, 99 in 100 under ${duration(d.p99)}` : 'no parcel picked up'}`,
    `  busiest hour    ${r.peakHours.busiest ? `${WEEKDAYS[r.peakHours.busiest.weekday]} ${hourLabel(r.peakHours.busiest.hour)} (${plural(r.peakHours.busiest.deposits, 'delivery', 'deliveries')})` : 'none'}`,
    `  carriers        ${r.carriers.length > 0 ? r.carriers.slice(0, 6).map((c) => `${carrierName(c.carrier)} ${c.deliveries}`).join(', ') + (r.carriers.length > 6 ? ', ...' : '') : 'none'}`,
    `  turned away     ${t.overflow === 0 ? 'none' : `${t.overflow} (${[...COMPARTMENT_SIZES.filter((s) => r.overflow.bySize[s] > 0).map((s) => `${s} ${r.overflow.bySize[s]}`), ...(r.overflow.unsized > 0 ? [`locker full ${r.overflow.unsized}`] : [])].join(', ')})`}`,
    `  door problems   ${t.doorIncidents === 0 ? 'none' : r.doors.map((x) => `${x.compartmentId}: ${doorWords(x)}`).join('; ')}`,
    ...storageLines(r),
    '',
    r.sizing.summary,
    ...r.sizing.sizes.filter((s) => s.verdict !== 'none_installed').map((s) => `  ${sizeSentence(s, Math.round(r.sizing.headroom * 100))}`),
    ...(hasAreas(r) ? ['', 'By kind of storage:', ...r.storage.kinds.map((k) => `  ${kindSentence(k, Math.round(r.sizing.headroom * 100))}`)] : []),
  ];
  // Carrier names come from barcodes: no control characters reach the terminal.
  return `${lines.join('\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?')}\n`;
}
