import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { LockerdConfig } from '../config/types.js';
import { credentials, redactUrl } from './link.js';

export interface LinkCheck {
  url: string;
  protocolVersion: number;
  connectMs: number;
  roundTripMs: number;
  tls: { protocol: string | null; cipher: string | null; peerSubject: string | null; peerValidTo: string | null } | null;
}

/**
 * `lockerctl mqtt check`: connects with the daemon's settings (under a client id of its own, so
 * the daemon's session is not disturbed), sends one message to itself and times the round trip.
 * The topic lies outside the locker's root, so upstream consumers of `<root>/#` never see it, and
 * has the kiosk id as a whole level, so a broker ACL can grant it per kiosk
 * (`pattern readwrite lockers-check/%u/#` in config/examples/mosquitto/acl).
 */
export async function checkLink(config: LockerdConfig, timeoutMs = 10_000): Promise<LinkCheck> {
  const mqtt = await import('mqtt');
  const c = config.mqtt;
  const started = performance.now();
  const client = await mqtt.connectAsync(c.url, {
    ...credentials(c),
    clientId: `${config.kioskId}-check-${randomBytes(3).toString('hex')}`,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
  }).catch((err: Error) => {
    throw new Error(`cannot connect to ${redactUrl(c.url)}: ${err.message}`);
  });
  const connectMs = performance.now() - started;
  try {
    const topic = `${c.prefix}-check/${config.kioskId}/${randomBytes(6).toString('hex')}`;
    await client.subscribeAsync(topic, { qos: 1 });
    const sent = performance.now();
    const arrived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no round trip within ${timeoutMs} ms: the broker accepted the connection but did not deliver`)), timeoutMs);
      client.on('message', (t) => {
        if (t === topic) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await client.publishAsync(topic, 'lockerd link check', { qos: 1 });
    await arrived;
    const roundTripMs = performance.now() - sent;
    const socket = client.stream as Partial<TLSSocket>;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    return {
      url: redactUrl(c.url),
      protocolVersion: c.protocolVersion,
      connectMs: Math.round(connectMs * 10) / 10,
      roundTripMs: Math.round(roundTripMs * 10) / 10,
      tls:
        typeof socket.getProtocol === 'function'
          ? { protocol: socket.getProtocol() ?? null, cipher: socket.getCipher?.()?.name ?? null, peerSubject: peer?.subject?.CN ? [peer.subject.CN].flat().join(', ') : null, peerValidTo: peer?.valid_to ?? null }
          : null,
    };
  } finally {
    await client.endAsync(true);
  }
}
