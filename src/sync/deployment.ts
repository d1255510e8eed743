import type { LockerdConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { redactUrl } from './link.js';

/**
 * The deployment requirement for remote commands, as a pure policy of the MQTT settings: a
 * `door.open` is only as trustworthy as the link it came over. Whoever can publish to
 * `<root>/commands` can open doors, so the link must be encrypted beyond this machine and the
 * kiosk must log in with credentials of its own, so the broker's ACL can keep everyone else off its
 * topics (config/examples/mosquitto). Checked at start (logged) and by `lockerctl selftest`.
 */
export interface LinkFinding {
  /** `fail`: anyone on the network could send this kiosk commands. `warn`: only local users could. */
  severity: 'fail' | 'warn';
  /** What is wrong and what to change, in one sentence for the log and the self-test. */
  detail: string;
}

const PLAIN = new Set(['mqtt:', 'tcp:', 'ws:']);

/** localhost, 127.0.0.0/8 and ::1: a broker on this machine (for instance a bridge). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export function linkFindings(c: LockerdConfig['mqtt']): LinkFinding[] {
  if (!c.enabled) return [];
  let url: URL | undefined;
  try {
    url = new URL(c.url);
  } catch {
    // Unparseable by WHATWG rules: judged as a remote, plain host, the safe side.
  }
  const shown = redactUrl(c.url);
  const local = url !== undefined && isLoopback(url.hostname);
  const plain = url === undefined || PLAIN.has(url.protocol);
  const password = Boolean((c.username || url?.username) && (c.password || url?.password));
  const certificate = Boolean(c.tls.cert && c.tls.key);
  const out: LinkFinding[] = [];
  if (plain && !local) {
    out.push({ severity: 'fail', detail: `mqtt.url ${shown} is not encrypted and leaves this machine: commands such as door.open, retrieval codes and the broker password cross the network in clear; use mqtts:// (or wss://) with mqtt.tls.ca` });
  }
  if (!plain && !local && !c.tls.rejectUnauthorized) {
    out.push({ severity: 'fail', detail: 'mqtt.tls.rejectUnauthorized is false: anyone on the path can pose as the broker and send this kiosk commands; set it to true and give the broker\'s CA in mqtt.tls.ca' });
  }
  if (!password && !certificate) {
    out.push(
      local
        ? { severity: 'warn', detail: `no broker credentials for ${shown}: any local user who can reach the broker can send this kiosk commands; set mqtt.username and mqtt.password (or mqtt.tls.cert and mqtt.tls.key) and make the broker require them` }
        : { severity: 'fail', detail: `no broker credentials for ${shown}: the broker cannot tell this kiosk from anyone else, so no ACL can keep others off its commands; set mqtt.username and mqtt.password, or mqtt.tls.cert and mqtt.tls.key, and install the ACL of config/examples/mosquitto` },
    );
  }
  return out;
}

/** Logs each finding (error for `fail`, warning for `warn`), as the daemon does at every start. */
export function reportLinkFindings(c: LockerdConfig['mqtt'], log: Logger): void {
  for (const f of linkFindings(c)) {
    if (f.severity === 'fail') log.error(`remote commands are not safe on this link: ${f.detail}`);
    else log.warn(`remote commands are not safe on this link: ${f.detail}`);
  }
}
