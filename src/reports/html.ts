/**
 * The report as one self-contained HTML page for a property manager: headline numbers, the
 * sizing verdict in words, and the charts (inline SVG, src/reports/charts.ts). No script, no
 * external resource of any kind; every text from the ledger is escaped. Pure.
 */
import { COMPARTMENT_SIZES } from '../config/types.js';
import { carrierChart, dailyChart, dwellChart, heatMap, kindOccupancyChart, occupancyChart, overflowChart } from './charts.js';
import { duration, esc, hourLabel, localDate, percent as pct, plural, WEEKDAYS } from './format.js';
import type { DoorAttention, KindFigures, Report, SizeSizing } from './report.js';
import { kindName, kindSentence, sizeSentence } from './sizing.js';

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f8fafc;color:#111827;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1040px;margin:0 auto;padding:28px 32px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:18px;margin:0 0 4px}
.sub{color:#4b5563;margin:0 0 22px}
.note{color:#6b7280;font-size:13px;margin:2px 0 10px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:18px 20px;margin:0 0 18px}
.cards{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin:0 0 18px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:12px 14px}
.card b{display:block;font-size:24px;line-height:1.2;white-space:nowrap}
.card span{color:#4b5563;font-size:13px}
.card.alert b{color:#b91c1c}
.verdict{border-left:6px solid #16a34a}
.verdict.tight{border-left-color:#d97706}
.verdict.short{border-left-color:#dc2626}
.verdict p.summary{font-size:18px;font-weight:600;margin:2px 0 10px}
ul.sizes{margin:0;padding:0;list-style:none}
ul.sizes li{padding:5px 0 5px 26px;position:relative}
ul.sizes li::before{content:"";position:absolute;left:4px;top:11px;width:12px;height:12px;border-radius:50%;background:#16a34a}
ul.sizes li.tight::before{background:#d97706}
ul.sizes li.short::before{background:#dc2626}
ul.sizes li.none_installed::before{background:#d1d5db}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.grid2 section{margin:0}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px 18px}
.key{display:inline-block;width:18px;height:0;border-top:2px solid;vertical-align:middle;margin:0 4px 0 10px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb}
th{color:#4b5563;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
footer{color:#6b7280;font-size:12px;margin-top:24px}
@media print{body{background:#fff}section,.card{break-inside:avoid}}
`;


function card(value: string, label: string, alert = false): string {
  return `<div class="card${alert ? ' alert' : ''}"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
}

function worst(sizes: readonly SizeSizing[]): 'ok' | 'tight' | 'short' {
  if (sizes.some((s) => s.verdict === 'short')) return 'short';
  return sizes.some((s) => s.verdict === 'tight') ? 'tight' : 'ok';
}

function doorRow(d: DoorAttention, timeZone: string): string {
  const what = [
    d.failedOpens > 0 ? plural(d.failedOpens, 'failed open') : '',
    d.jammed > 0 ? plural(d.jammed, 'jam reported by a courier', 'jams reported by couriers') : '',
    d.forced > 0 ? plural(d.forced, 'forced open', 'forced opens') : '',
    d.leftOpen > 0 ? `left open ${plural(d.leftOpen, 'time')}` : '',
  ].filter(Boolean).join(', ');
  const now = d.outOfServiceNow === null ? 'in service' : `out of service: ${d.outOfServiceNow}`;
  return `<tr><td>${esc(d.compartmentId)}</td><td>${esc(what)}</td><td>${esc(localDate(d.lastAt, timeZone, true))}</td><td>${esc(now)}</td></tr>`;
}

/**
 * Lockers, rooms and desks side by side, when the station has rooms or desks: each counted as
 * what it is (compartments, or parcels against its places' capacity), with its verdict, the
 * parcels the lockers sent to it, and its occupancy chart. Nothing at a plain locker bank.
 */
function storageSection(r: Report): string {
  const kinds = r.storage.kinds;
  if (!kinds.some((k) => k.id !== null)) return '';
  const tz = r.timeZone;
  const headroom = Math.round(r.sizing.headroom * 100);
  const row = (k: KindFigures): string => `<tr class="${k.verdict}"><td>${esc(kindName(k))}</td><td class="n">${k.capacity} ${k.counts}</td><td class="n">${k.deliveries}</td><td class="n">${k.overflowIn}</td><td class="n">${k.id === null ? '' : k.turnedAway}</td><td class="n">${k.highWater} (${pct(k.peakShare)})</td><td class="n">${esc(duration(k.dwell.p50))}</td><td class="n">${k.waitingNow}</td><td>${esc(k.verdict.replace('_', ' '))}</td></tr>`;
  const o = r.storage.overflow;
  const overflow = o.parcels === 0
    ? (r.storage.station === 'lockers' ? 'No parcel had to go to the overflow.' : `This station is a ${r.storage.station === 'room' ? 'package room' : 'front desk'}: its parcels are its own deliveries, not overflow.`)
    : `${plural(o.parcels, 'parcel')} went to the overflow because no compartment of their size was free: ${o.byArea.map((a) => `${a.id} ${a.parcels}`).join(', ')}.`;
  return `
<section class="kinds">
<h2>Lockers, rooms and desks</h2>
<p class="note">${esc(overflow)} Lockers count compartments; a room or desk counts parcels against the capacity of its shelves or places.</p>
<ul class="sizes">${kinds.map((k) => `<li class="${k.verdict}">${esc(kindSentence(k, headroom))}</li>`).join('')}</ul>
<table><thead><tr><th>Storage</th><th class="n">Capacity</th><th class="n">Delivered</th><th class="n">Of them overflow</th><th class="n">Turned away full</th><th class="n">Most at once</th><th class="n">Typical wait</th><th class="n">In it now</th><th>Verdict</th></tr></thead><tbody>${kinds.map(row).join('')}</tbody></table>
<div class="pair" style="margin-top:12px">${kinds.map((k) => kindOccupancyChart(r.occupancy.samples, k, r.sizing.headroom, tz)).join('')}</div>
</section>
`;
}

/** What the page calls the station: a package room's or desk's report is not a locker's. */
const STATION_TITLE: Record<Report['storage']['station'], string> = { lockers: 'Parcel locker', room: 'Package room', desk: 'Front desk' };

export function renderReportHtml(r: Report): string {
  const tz = r.timeZone;
  const t = r.totals;
  const perDay = r.period.days > 0 ? t.deliveries / r.period.days : 0;
  const busiest = r.peakHours.busiest;
  const sized = r.sizing.sizes.filter((s) => s.verdict !== 'none_installed');
  const verdictClass = worst(sized);
  const title = `${STATION_TITLE[r.storage.station]} report: ${r.kioskId}`;
  const range = `${localDate(r.period.from, tz)} to ${localDate(r.period.to, tz, true)}`;

  const occupancy = sized.map((s) => occupancyChart(r.occupancy.samples, s, r.sizing.headroom, tz)).join('');
  const step = r.occupancy.stepMinutes === 60 ? 'hour' : `${r.occupancy.stepMinutes / 60} hours`;
  const doors = r.doors.length === 0
    ? '<p>No door needed attention in the period.</p>'
    : `<table><thead><tr><th>Compartment</th><th>What happened</th><th>Last time</th><th>Now</th></tr></thead><tbody>${r.doors.map((d) => doorRow(d, tz)).join('')}</tbody></table>`;
  const sizeRows = sized.map((s) => `<tr><td>${s.size}</td><td class="n">${s.capacity}</td><td class="n">${s.highWater} (${pct(s.peakShare)})</td><td class="n">${s.overflow}</td><td class="n">${s.needed}</td><td class="n">${s.add > 0 ? `+${s.add}` : '0'}</td></tr>`).join('');
  const overflowWords = t.overflow === 0
    ? 'No courier was turned away.'
    : `${plural(t.overflow, 'courier')} turned away${r.overflow.atLogin > 0 ? `, ${r.overflow.atLogin} of them because no compartment at all was free when they logged in` : ''}.`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(title)}</h1>
<p class="sub">${esc(range)} (${plural(r.period.days, 'day')}, times in ${esc(tz)}). Made ${esc(localDate(r.generatedAt, tz, true))} from the locker's own records.</p>

<div class="cards">
${card(t.deliveries.toLocaleString('en-US'), `parcels delivered (${perDay.toFixed(1)} a day)`)}
${card(t.pickups.toLocaleString('en-US'), 'picked up by residents')}
${card(duration(r.dwell.all.p50), 'typical wait before pickup (half of parcels)')}
${card(t.overflow.toLocaleString('en-US'), 'couriers turned away: locker full', t.overflow > 0)}
${card(t.doorIncidents.toLocaleString('en-US'), 'door problems (failed, jammed, forced, left open)', t.doorIncidents > 0)}
${card(t.waitingNow.toLocaleString('en-US'), 'parcels in the locker now')}
</div>

<section class="verdict ${verdictClass}">
<h2>Is the locker the right size?</h2>
<p class="summary">${esc(r.sizing.summary)}</p>
<ul class="sizes">${r.sizing.sizes.map((s) => `<li class="${s.verdict}">${esc(sizeSentence(s, Math.round(r.sizing.headroom * 100)))}</li>`).join('')}</ul>
<p class="note">Installers recommend keeping about ${pct(r.sizing.headroom)} of each size free at the busiest time, because couriers arrive in bursts. "Needed" counts the busiest moment plus the couriers turned away on the worst day. A parcel goes to a bigger compartment when its size is full, so a shortage of small compartments fills the bigger ones too: add the smallest short size first, then look again after a few weeks.</p>
<table><thead><tr><th>Size</th><th class="n">Installed</th><th class="n">Most in use at once</th><th class="n">Turned away</th><th class="n">Needed</th><th class="n">Change</th></tr></thead><tbody>${sizeRows}</tbody></table>
</section>
${storageSection(r)}
<section>
<h2>Deliveries and pickups per day</h2>
<p class="note">${esc(overflowWords)}</p>
${dailyChart(r.days)}
</section>

<section>
<h2>When couriers come</h2>
<p class="note">${busiest ? esc(`The busiest hour was ${WEEKDAYS[busiest.weekday]} ${hourLabel(busiest.hour)} to ${hourLabel((busiest.hour + 1) % 24)}, with ${plural(busiest.deposits, 'delivery', 'deliveries')} over the period.`) : 'No deliveries in the period.'}</p>
${heatMap(r.peakHours.deposits)}
</section>

<section>
<h2>Compartments in use</h2>
<p class="note">The shaded line is the most compartments of each size in use at once in each ${esc(step)};<span class="key" style="border-color:#111827"></span>installed<span class="key" style="border-color:#d97706;border-top-style:dashed"></span>${pct(1 - r.sizing.headroom)}: above it, less than the recommended headroom is free.</p>
<div class="pair">${occupancy || '<p>No compartments installed.</p>'}</div>
</section>

<section>
<h2>How long parcels wait</h2>
<p class="note">From the courier's deposit to the resident's pickup, for the ${plural(r.dwell.all.parcels, 'parcel')} picked up in the period.</p>
${dwellChart(r.dwell.all, r.dwell.bySize)}
</section>

<div class="grid2">
<section><h2>Deliveries by carrier</h2><p class="note">${plural(r.carriers.length, 'carrier')}.</p>${carrierChart(r.carriers)}</section>
<section><h2>Couriers turned away</h2><p class="note">By the smallest size that would have taken the parcel.</p>${overflowChart(r.overflow.bySize, r.overflow.unsized)}</section>
</div>

<section style="margin-top:18px">
<h2>Doors that needed attention</h2>
${doors}
</section>

<footer>Locker ${esc(r.kioskId)}. Sizes: ${COMPARTMENT_SIZES.join(', ')}. ${r.ledgerSince ? `Records since ${esc(localDate(r.ledgerSince, tz))}.` : ''} Figures are computed from the locker's ledger (see docs/reports.md for what each means).</footer>
</main></body></html>
`;
}
