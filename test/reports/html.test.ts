/** The page's text: everything from the ledger escaped, nothing fetched, words for an empty period. */
import { describe, expect, it } from 'vitest';
import { assembleReport } from '../../src/reports/build.js';
import { Calendar } from '../../src/reports/calendar.js';
import { duration } from '../../src/reports/format.js';
import { renderReportHtml } from '../../src/reports/html.js';
import { formatReportText } from '../../src/reports/text.js';

const cal = new Calendar('UTC');
const NOW = Date.parse('2026-11-30T12:00:00Z');
const evil = '<script>alert(1)</script>"\'&\u001b[2J';

function report(carrier: string | null) {
  return assembleReport({
    period: { from: Date.parse('2026-11-29T00:00:00Z'), to: NOW }, calendar: cal, kioskId: '<b>kiosk</b>', now: NOW, ledgerSince: null,
    compartments: [{ id: 'A01', size: 'S', outOfService: null }, { id: 'A02', size: 'S', outOfService: evil }],
    parcels: carrier === null ? [] : [{ compartmentId: 'A01', placeId: null, size: 'S', state: 'deposited', direction: 'inbound', carrier, depositedAt: Date.parse('2026-11-29T10:00:00Z'), endedAt: null }],
    incidents: [{ at: Date.parse('2026-11-29T11:00:00Z'), action: 'door.forced_open', compartmentId: 'A02', detail: null }],
    // A room out of service with a technician's free-text reason: shown, escaped.
    areas: [{ id: 'ROOM', kind: 'room', outOfService: evil }],
    places: [{ id: 'R-A', area: 'ROOM', capacity: 4, active: true }],
  });
}

describe('the report page', () => {
  it('escapes every text from the ledger and fetches nothing', () => {
    const html = renderReportHtml(report(evil));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>kiosk');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(html).not.toMatch(/\b(src|href)=|@import|url\(/);
  });

  it('has words for a period with nothing in it', () => {
    const r = report(null);
    const html = renderReportHtml(r);
    expect(html).toContain('No deliveries in the period.');
    expect(html).toContain('No courier was turned away.');
    expect(formatReportText(r)).toContain('waiting time    no parcel picked up');
  });

  it('keeps control characters from a carrier name off the terminal', () => {
    const text = formatReportText(report(evil));
    expect(text).not.toContain('\u001b');
    expect(text).toContain('<script>alert(1)</script>"\'&?[2J 1');
  });

  it('says durations as a person would', () => {
    expect([duration(45), duration(720), duration(7800), duration(3 * 86400 + 4 * 3600), duration(null)]).toEqual(['45 s', '12 min', '2 h 10 min', '3 d 4 h', 'n/a']);
  });
});
