/** Short aligned tables a technician can read on an 80-column SSH session. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(columns), ...cells.map(line)].join('\n')}\n`;
}

/** What the kiosk screen said in response to a simulated action. */
export function displays(result: { displays?: { text: string; tone: string }[]; state?: string }): string {
  const lines = (result.displays ?? []).map((d) => `  [${d.tone}] ${d.text}`);
  return `${lines.length ? `kiosk says:\n${lines.join('\n')}` : 'kiosk says nothing new'}\n(kiosk state: ${result.state ?? '?'})\n`;
}
