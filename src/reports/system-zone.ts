/**
 * The name of the system's time zone (TZ, else /etc/localtime's link into the zoneinfo tree, else
 * /etc/timezone), read without ICU: the first Intl.DateTimeFormat of a process maps about 6 MB of
 * ICU tables out of the node binary into its memory for good (docs/sd-card.md, "Memory"), and the
 * daemon needs the name only to print it. Intl answers only when none of these says.
 */
import { readFileSync, readlinkSync } from 'node:fs';

const ZONE_NAME = /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/;

export function systemTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  const tz = env.TZ?.replace(/^:/, '');
  if (tz !== undefined && tz !== '') return ZONE_NAME.test(tz) ? tz : intlZone();
  try {
    const link = readlinkSync('/etc/localtime');
    const at = link.indexOf('zoneinfo/');
    if (at >= 0 && ZONE_NAME.test(link.slice(at + 'zoneinfo/'.length))) return link.slice(at + 'zoneinfo/'.length);
  } catch {
    // not a link (a copy of the zone file) or absent
  }
  try {
    const name = readFileSync('/etc/timezone', 'utf8').trim();
    if (ZONE_NAME.test(name)) return name;
  } catch {
    // absent
  }
  return intlZone();
}

function intlZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}
