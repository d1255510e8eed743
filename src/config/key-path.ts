/** Keys of the configuration named as a technician writes them: `units[2].id`, `kiosk["a b"]`. */

export type Segment = string | number;

/** `["units", 2, "id"]` → `units[2].id`; odd keys get brackets: `kiosk["a b"]`. */
export function formatPath(segments: readonly Segment[]): string {
  if (segments.length === 0) return '(top level)';
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(truncate(seg, 40))}]`;
  }
  return out;
}

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
