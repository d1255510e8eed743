/**
 * The report's charts as inline SVG text: no script, no fonts, no network, so the page is one
 * file that prints and mails as it is. Each returns an `<svg data-chart="...">`. Pure.
 */
import { COMPARTMENT_SIZES } from '../config/types.js';
import { carrierName, duration, esc, hourLabel, localShortDate, shortDate, WEEKDAYS } from './format.js';
import type { DayCounts, DwellPercentiles, KindFigures, OccupancySample, SizeMap, SizeSizing } from './report.js';
import { kindName } from './sizing.js';

export const COLOURS = { deliveries: '#2563eb', pickups: '#14b8a6', overflow: '#dc2626', capacity: '#111827', headroom: '#d97706', grid: '#e5e7eb', axis: '#6b7280', occupancy: '#7c3aed' };

const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="11" fill="${COLOURS.axis}"`;
const n = (v: number): string => (Math.round(v * 10) / 10).toString();

function svg(name: string, width: number, height: number, label: string, body: string): string {
  return `<svg data-chart="${name}" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg"><g ${FONT}>${body}</g></svg>`;
}

/** A "nice" axis top at or above `max`: 1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 1.5, 2, 3, 4, 5, 6, 8, 10].map((m) => m * p).find((v) => v >= max)!;
}

/** How many steps divide `top` into round whole numbers (a leading 1, 2 or 5); 1 when none do. */
function stepsFor(top: number): number {
  for (const n of [4, 5, 3, 2]) {
    const step = top / n;
    if (Number.isInteger(step) && /^[125]0*$/.test(String(step))) return n;
  }
  return 1;
}

function yAxis(x0: number, x1: number, y: (v: number) => number, top: number): string {
  let out = '';
  const ticks = stepsFor(top);
  for (let i = 0; i <= ticks; i++) {
    const v = (top / ticks) * i;
    out += `<line x1="${x0}" x2="${x1}" y1="${n(y(v))}" y2="${n(y(v))}" stroke="${COLOURS.grid}"/>`;
    out += `<text x="${x0 - 6}" y="${n(y(v) + 4)}" text-anchor="end">${v}</text>`;
  }
  return out;
}

/** Deliveries and pickups per day, side by side; a red mark over a day with couriers turned away. */
export function dailyChart(days: readonly DayCounts[]): string {
  const W = 960, H = 260, L = 40, R = 10, T = 24, B = 40;
  const top = niceMax(Math.max(1, ...days.map((d) => Math.max(d.deliveries, d.pickups))));
  const slot = (W - L - R) / Math.max(1, days.length);
  const bar = Math.max(1, slot * 0.38);
  const y = (v: number): number => T + (H - T - B) * (1 - v / top);
  let body = yAxis(L, W - R, y, top);
  const every = Math.ceil(days.length / 15);
  days.forEach((d, i) => {
    const x = L + i * slot + slot * 0.1;
    if (d.deliveries > 0) body += `<rect x="${n(x)}" y="${n(y(d.deliveries))}" width="${n(bar)}" height="${n(y(0) - y(d.deliveries))}" fill="${COLOURS.deliveries}"><title>${esc(`${d.date}: ${d.deliveries} delivered`)}</title></rect>`;
    if (d.pickups > 0) body += `<rect x="${n(x + bar)}" y="${n(y(d.pickups))}" width="${n(bar)}" height="${n(y(0) - y(d.pickups))}" fill="${COLOURS.pickups}"><title>${esc(`${d.date}: ${d.pickups} picked up`)}</title></rect>`;
    if (d.overflow > 0) body += `<path d="M${n(x + bar)} ${n(T - 4)} l-5 -8 h10 z" fill="${COLOURS.overflow}"><title>${esc(`${d.date}: ${d.overflow} turned away`)}</title></path>`;
    if (i % every === 0) body += `<text x="${n(x + bar)}" y="${H - B + 16}" text-anchor="middle">${esc(shortDate(d.date))}</text>`;
  });
  body += `<line x1="${L}" x2="${W - R}" y1="${y(0)}" y2="${y(0)}" stroke="${COLOURS.axis}"/>`;
  body += legend(L, H - 8, [['Delivered', COLOURS.deliveries], ['Picked up', COLOURS.pickups], ['▼ couriers turned away that day', COLOURS.overflow]]);
  return svg('daily', W, H, 'Deliveries and pickups per day', body);
}

function legend(x: number, y: number, items: [string, string][]): string {
  let out = '';
  for (const [label, colour] of items) {
    out += `<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${colour}"/><text x="${x + 14}" y="${y}">${esc(label)}</text>`;
    x += 24 + label.length * 6.2;
  }
  return out;
}

/** Deposits by weekday and hour: the darker, the busier. */
export function heatMap(deposits: readonly (readonly number[])[]): string {
  const W = 960, L = 40, T = 20, cell = (W - L - 10) / 24, ch = 26, H = T + 7 * ch + 34;
  const max = Math.max(1, ...deposits.flat());
  let body = '';
  for (let h = 0; h < 24; h += 2) body += `<text x="${n(L + h * cell + cell / 2)}" y="${T - 6}" text-anchor="middle">${hourLabel(h)}</text>`;
  deposits.forEach((row, wd) => {
    body += `<text x="${L - 6}" y="${n(T + wd * ch + ch / 2 + 4)}" text-anchor="end">${WEEKDAYS[wd]}</text>`;
    row.forEach((v, h) => {
      // Lightness from 97% (none) to 30% (the busiest hour): a sequential scale reads at a glance.
      const share = v / max;
      const fill = v === 0 ? '#f3f4f6' : `hsl(221, 83%, ${n(92 - 60 * share)}%)`;
      body += `<rect x="${n(L + h * cell + 1)}" y="${n(T + wd * ch + 1)}" width="${n(cell - 2)}" height="${ch - 2}" rx="2" fill="${fill}"><title>${esc(`${WEEKDAYS[wd]} ${hourLabel(h)}: ${v} deposits`)}</title></rect>`;
      if (share >= 0.6) body += `<text x="${n(L + h * cell + cell / 2)}" y="${n(T + wd * ch + ch / 2 + 4)}" text-anchor="middle" fill="#fff">${v}</text>`;
    });
  });
  body += `<text x="${L}" y="${H - 8}">Deposits in each hour of the week over the period; the busiest hours are numbered.</text>`;
  return svg('heatmap', W, H, 'Deposits by weekday and hour', body);
}

/**
 * Occupancy of one size against its capacity: the line is the most compartments in use in each
 * interval; the dark line is the capacity, the dashed one where the recommended headroom begins.
 */
export function occupancyChart(samples: readonly OccupancySample[], sizing: SizeSizing, headroom: number, timeZone: string): string {
  const size = sizing.size;
  return stepChart({
    name: `occupancy-${size}`, label: `Occupancy of size ${size} compartments against capacity`, title: `${size}: ${sizing.capacity} installed, at most ${sizing.highWater} in use`,
    at: samples.map((s) => s.at), values: samples.map((s) => s.sizes[size]), capacity: sizing.capacity, headroom, timeZone,
  });
}

/** The same for one kind of storage: the lockers in compartments, a room or desk in parcels. */
export function kindOccupancyChart(samples: readonly OccupancySample[], k: KindFigures, headroom: number, timeZone: string): string {
  const key = k.id ?? 'lockers';
  const what = k.counts === 'compartments' ? 'compartments' : 'parcels';
  return stepChart({
    name: `occupancy-kind-${key}`, label: `${kindName(k)}: ${what} in use against capacity`, title: `${kindName(k)}: ${k.capacity} ${what}, at most ${k.highWater} at once`,
    at: samples.map((s) => s.at), values: samples.map((s) => s.kinds[key] ?? 0), capacity: k.capacity, headroom, timeZone,
  });
}

function stepChart(c: { name: string; label: string; title: string; at: readonly string[]; values: readonly number[]; capacity: number; headroom: number; timeZone: string }): string {
  const W = 470, H = 200, L = 34, R = 10, T = 26, B = 26;
  const top = Math.max(1, c.capacity, ...c.values);
  const x = (i: number): number => L + ((W - L - R) * i) / Math.max(1, c.values.length);
  const y = (v: number): number => T + (H - T - B) * (1 - v / top);
  let body = yAxis(L, W - R, y, top);
  // A step line: each sample holds for its whole interval.
  let d = '';
  c.values.forEach((value, i) => {
    const v = y(value);
    d += i === 0 ? `M${n(x(0))} ${n(v)}` : `V${n(v)}`;
    d += `H${n(x(i + 1))}`;
  });
  if (d) {
    body += `<path d="${d}V${n(y(0))}H${n(x(0))}Z" fill="${COLOURS.occupancy}" fill-opacity="0.15" stroke="none"/>`;
    body += `<path d="${d}" fill="none" stroke="${COLOURS.occupancy}" stroke-width="1.5"/>`;
  }
  if (c.capacity > 0) {
    const limit = c.capacity * (1 - c.headroom);
    body += `<line x1="${L}" x2="${W - R}" y1="${n(y(limit))}" y2="${n(y(limit))}" stroke="${COLOURS.headroom}" stroke-dasharray="5 4"/>`;
    body += `<line x1="${L}" x2="${W - R}" y1="${n(y(c.capacity))}" y2="${n(y(c.capacity))}" stroke="${COLOURS.capacity}" stroke-width="1.5"/>`;
  }
  const first = c.at[0], last = c.at.at(-1);
  if (first && last) {
    body += `<text x="${L}" y="${H - 8}">${esc(localShortDate(first, c.timeZone))}</text><text x="${W - R}" y="${H - 8}" text-anchor="end">${esc(localShortDate(last, c.timeZone))}</text>`;
  }
  body += `<text x="${L}" y="14" font-size="13" font-weight="600" fill="#111827">${esc(c.title)}</text>`;
  return svg(c.name, W, H, c.label, body);
}

/** Waiting time: p50, p90 and p99 for all parcels and each size, as horizontal bars on one scale. */
export function dwellChart(all: DwellPercentiles, bySize: SizeMap<DwellPercentiles>): string {
  const rows: [string, DwellPercentiles][] = [['All', all], ...COMPARTMENT_SIZES.filter((s) => bySize[s].parcels > 0).map((s): [string, DwellPercentiles] => [s, bySize[s]])];
  const W = 960, L = 60, R = 140, T = 10, rowH = 52, H = T + rowH * rows.length + 26;
  const top = Math.max(60, ...rows.map(([, p]) => p.p99 ?? 0));
  const x = (v: number): number => L + ((W - L - R) * v) / top;
  const marks: [keyof DwellPercentiles, string, string][] = [['p50', 'half waited less than', '#1d4ed8'], ['p90', '9 in 10 less than', '#60a5fa'], ['p99', '99 in 100 less than', '#bfdbfe']];
  let body = '';
  rows.forEach(([label, p], r) => {
    const y0 = T + r * rowH;
    body += `<text x="${L - 8}" y="${y0 + 28}" text-anchor="end" font-size="13" fill="#111827">${esc(label)}</text>`;
    marks.forEach(([k, , colour], j) => {
      const v = p[k];
      if (v === null || k === 'parcels') return;
      const y = y0 + 6 + j * 14;
      body += `<rect x="${L}" y="${y}" width="${n(Math.max(1, x(v) - L))}" height="12" fill="${colour}"><title>${esc(`${label} ${k}: ${duration(v)}`)}</title></rect>`;
      body += `<text x="${n(x(v) + 6)}" y="${y + 10}">${esc(`${k} ${duration(v)}`)}</text>`;
    });
    body += `<text x="${W - 6}" y="${y0 + 28}" text-anchor="end">${esc(`${p.parcels.toLocaleString('en-US')} parcels`)}</text>`;
  });
  body += legend(L, H - 6, marks.map(([k, words, colour]) => [`${k}: ${words}`, colour]));
  return svg('dwell', W, H, 'Time parcels waited, deposit to pickup', body);
}

/** Deliveries per carrier, most first (at most `limit` bars; the rest together). */
export function carrierChart(carriers: readonly { carrier: string | null; deliveries: number }[], limit = 8): string {
  const shown = carriers.slice(0, limit).map((c) => ({ label: carrierName(c.carrier), n: c.deliveries }));
  const rest = carriers.slice(limit).reduce((s, c) => s + c.deliveries, 0);
  if (rest > 0) shown.push({ label: `${carriers.length - limit} others`, n: rest });
  const W = 470, L = 130, R = 50, rowH = 24, H = Math.max(1, shown.length) * rowH + 10;
  const top = Math.max(1, ...shown.map((c) => c.n));
  let body = '';
  shown.forEach((c, i) => {
    const y = 5 + i * rowH;
    const label = c.label.length > 18 ? `${c.label.slice(0, 17)}…` : c.label;
    body += `<text x="${L - 8}" y="${y + 15}" text-anchor="end" fill="#111827">${esc(label)}</text>`;
    body += `<rect x="${L}" y="${y + 3}" width="${n(Math.max(2, ((W - L - R) * c.n) / top))}" height="16" rx="2" fill="${COLOURS.deliveries}"><title>${esc(`${c.label}: ${c.n}`)}</title></rect>`;
    body += `<text x="${n(L + Math.max(2, ((W - L - R) * c.n) / top) + 6)}" y="${y + 15}">${c.n.toLocaleString('en-US')}</text>`;
  });
  if (shown.length === 0) body += `<rect x="${L}" y="8" width="1" height="1" fill="none"/><text x="${L}" y="18">No deliveries in the period.</text>`;
  return svg('carriers', W, H, 'Deliveries by carrier', body);
}

/** Couriers turned away, by the size they needed. */
export function overflowChart(bySize: SizeMap<number>, unsized: number): string {
  const rows: [string, number][] = [...COMPARTMENT_SIZES.map((s): [string, number] => [s, bySize[s]]), ['any', unsized]];
  const W = 470, L = 110, R = 50, rowH = 24, H = rows.length * rowH + 10;
  const top = Math.max(1, ...rows.map(([, v]) => v));
  let body = '';
  rows.forEach(([label, v], i) => {
    const y = 5 + i * rowH;
    const w = v === 0 ? 0 : Math.max(2, ((W - L - R) * v) / top);
    body += `<text x="${L - 8}" y="${y + 15}" text-anchor="end" fill="#111827">${label === 'any' ? 'locker full' : `size ${label}`}</text>`;
    body += w > 0 ? `<rect x="${L}" y="${y + 3}" width="${n(w)}" height="16" rx="2" fill="${COLOURS.overflow}"/>` : `<rect x="${L}" y="${y + 10}" width="${W - L - R}" height="1" fill="${COLOURS.grid}"/>`;
    body += `<text x="${n(L + w + 6)}" y="${y + 15}">${v}</text>`;
  });
  return svg('overflow', W, H, 'Couriers turned away, by the size they needed', body);
}
