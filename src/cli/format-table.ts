/** Short aligned tables a technician can read on an 80-column SSH session. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(columns), ...cells.map(line)].join('\n')}\n`;
}

/** The parts of a ScreenState (src/kiosk/screen.ts) the sim printer shows; lockerctl reads JSON, so no import. */
interface ScreenLike {
  step: string;
  language: string;
  at: number;
  prompt: { text: string };
  choices: { key: string; label: string; sequence?: string[] }[];
  doors: { compartmentId: string; state: string }[];
  countdown: { kind: string; endsAt: number } | null;
  entryLength: number;
  attention: { text: string }[];
}

/** What the kiosk said in response to a simulated action, and what its screen shows now (its last screen state). */
export function displays(result: { displays?: { text: string; tone: string }[]; screens?: ScreenLike[]; state?: string }): string {
  const lines = (result.displays ?? []).map((d) => `  [${d.tone}] ${d.text}`);
  const screen = result.screens?.at(-1);
  return `${lines.length ? `kiosk says:\n${lines.join('\n')}` : 'kiosk says nothing new'}\n${screen ? screenLines(screen) : ''}(kiosk state: ${result.state ?? '?'})\n`;
}

/** One screen state as a technician reads it: the prompt, then what is on screen besides. */
export function screenLines(s: ScreenLike): string {
  const out = [`screen: ${s.prompt.text}`, `  step: ${s.step} (${s.language})`];
  if (s.entryLength > 0) out.push(`  entry: ${'•'.repeat(Math.min(s.entryLength, 32))} (${s.entryLength} ${s.entryLength === 1 ? 'key' : 'keys'})`);
  if (s.doors.length > 0) out.push(`  doors: ${s.doors.map((d) => `${d.compartmentId} ${d.state}`).join(', ')}`);
  if (s.choices.length > 0) out.push(`  keys: ${s.choices.map((c) => `${(c.sequence ?? [c.key]).join('')} = ${c.label}`).join(', ')}`);
  if (s.countdown) {
    const seconds = Math.max(0, Math.ceil((s.countdown.endsAt - s.at) / 1000));
    out.push(`  countdown: ${s.countdown.kind === 'throttle' ? `entries wait ${seconds} s` : `session ends after ${seconds} s without input`}`);
  }
  for (const a of s.attention) out.push(`  attention: ${a.text}`);
  return `${out.join('\n')}\n`;
}
