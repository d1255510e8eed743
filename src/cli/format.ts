/** Human-readable output for lockerctl: short tables a technician can read on an 80-column SSH session. */

function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(columns), ...cells.map(line)].join('\n')}\n`;
}

function displays(result: { displays?: { text: string; tone: string }[]; state?: string }): string {
  const lines = (result.displays ?? []).map((d) => `  [${d.tone}] ${d.text}`);
  return `${lines.length ? `kiosk says:\n${lines.join('\n')}` : 'kiosk says nothing new'}\n(kiosk state: ${result.state ?? '?'})\n`;
}

export function format(command: string, result: unknown): string {
  const r = result as Record<string, unknown>;
  switch (command) {
    case 'status': {
      const s = r as {
        kioskId: string; version: string; uptimeSeconds: number; bootCount: number; simulated: boolean;
        kiosk: { state: string; display: string | null };
        compartments: Record<string, { total: number; free: number; occupied: number; outOfService: number }>;
        openDoors: { compartmentId: string; since: string }[];
        boards: { board: string; online: boolean; detail: string; errors: number }[];
        outbox: { unsent: number; oldestUnsentAt: number | null };
        guessingWaitMs: number;
      };
      const sizes = Object.entries(s.compartments).map(([size, c]) => ({ size, ...c }));
      return [
        `locker ${s.kioskId}  lockerd ${s.version}  up ${s.uptimeSeconds}s  boot #${s.bootCount}${s.simulated ? '  (simulated hardware)' : ''}`,
        `kiosk: ${s.kiosk.state}${s.kiosk.display ? ` — "${s.kiosk.display}"` : ''}`,
        `open doors: ${s.openDoors.length ? s.openDoors.map((d) => `${d.compartmentId} since ${d.since}`).join(', ') : 'none'}`,
        `outbox: ${s.outbox.unsent} unsent${s.outbox.oldestUnsentAt ? `, oldest ${new Date(s.outbox.oldestUnsentAt).toISOString()}` : ''}`,
        s.guessingWaitMs > 0 ? `keypad throttled for ${Math.ceil(s.guessingWaitMs / 1000)} s after wrong entries` : 'keypad: not throttled',
        '',
        table(sizes, ['size', 'total', 'free', 'occupied', 'outOfService']).trimEnd(),
        '',
        table(s.boards, ['board', 'online', 'errors', 'detail']),
      ].join('\n');
    }
    case 'compartments':
      return table(result as Record<string, unknown>[], ['id', 'size', 'board', 'lock', 'accessible', 'doorOpen', 'parcelId', 'outOfService']);
    case 'parcels':
      return table(result as Record<string, unknown>[], ['id', 'state', 'unit', 'compartmentId', 'carrier', 'tracking', 'depositedAt']);
    case 'outbox': {
      const o = r as { depth: { unsent: number }; events: { seq: number; type: string; at: string; sentAt: string | null; data: unknown }[] };
      return `${o.depth.unsent} unsent\n${table(o.events.map((e) => ({ ...e, data: JSON.stringify(e.data) })), ['seq', 'type', 'at', 'sentAt', 'data'])}`;
    }
    case 'audit':
      return table((result as Record<string, unknown>[]).map((a) => ({ ...a, detail: a.detail ? JSON.stringify(a.detail) : null })), ['id', 'at', 'actor', 'action', 'compartmentId', 'detail']);
    case 'sim.door': {
      const d = r as { compartment: string; door: string; changed: boolean };
      return `door ${d.compartment} ${d.changed ? `is now ${d.door}` : `was already ${d.door}`}\n${displays(r)}`;
    }
    case 'sim.keys':
    case 'sim.scan':
      return displays(r);
    default:
      return `${JSON.stringify(result, null, 2)}\n`;
  }
}
