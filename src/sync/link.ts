import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { LockerdConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { Topics } from './topics.js';

export interface LinkEvents {
  up: [client: MqttClient];
  down: [];
  message: [topic: string, payload: Buffer];
}

export interface LinkOptions {
  config: LockerdConfig['mqtt'];
  kioskId: string;
  topics: Topics;
  /** The retained `offline` status the broker publishes as our will. */
  willPayload: string;
  log: Logger;
  /** mqtt.js's connect, injectable for tests of the reconnect policy. */
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

/** Next reconnect delay: doubling from min to max. */
export function nextBackoff(current: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, current * 2));
}

/**
 * The connection to the broker: MQTT 5 (or 3.1.1), client id = kiosk id, a persistent session so
 * commands sent while we were offline are delivered, the retained `offline` will, TLS, capped
 * exponential reconnect backoff, and a watchdog that replaces a client that stopped trying
 * (mqtt.js has states where it does not reconnect by itself).
 */
export class UpstreamLink extends EventEmitter<LinkEvents> {
  #client: MqttClient | undefined;
  #backoff: number;
  #lastAlive = Date.now();
  #watchdog: NodeJS.Timeout | undefined;
  #stopped = false;
  #replacements = 0;
  #lastError: string | undefined;

  constructor(private readonly o: LinkOptions) {
    super();
    this.#backoff = o.config.reconnectMinMs;
  }

  get connected(): boolean {
    return this.#client?.connected === true;
  }

  get client(): MqttClient | undefined {
    return this.#client;
  }

  get replacements(): number {
    return this.#replacements;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#create();
    this.#watchdog = setInterval(() => this.#checkAlive(), Math.max(1000, Math.floor(this.o.config.watchdogMs / 4)));
    this.#watchdog.unref();
  }

  /** Clean stop: `publishFinal` (e.g. a retained offline status) goes out first if connected. */
  async stop(publishFinal?: { topic: string; payload: string }): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#watchdog);
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    if (publishFinal && client.connected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        client.publish(publishFinal.topic, publishFinal.payload, { qos: 1, retain: true }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }

  async #options(): Promise<IClientOptions> {
    const c = this.o.config;
    return {
      ...credentials(c),
      clientId: this.o.kioskId,
      clean: false,
      keepalive: c.keepaliveSeconds,
      connectTimeout: 10_000,
      // mqtt-packet otherwise preallocates a 2-byte Buffer for every number 0..65535 at the first
      // packet: 6 MB of heap on a Pi, to save a 2-byte allocation per packet sent.
      writeCache: false,
      reconnectPeriod: this.#backoff,
      resubscribe: true,
      ...(c.protocolVersion === 5 ? { properties: { sessionExpiryInterval: c.sessionExpirySeconds } } : {}),
      will: { topic: this.o.topics.status, payload: Buffer.from(this.o.willPayload), qos: 1, retain: true },
    };
  }

  async #create(): Promise<void> {
    let options: IClientOptions;
    try {
      options = await this.#options();
    } catch (err) {
      // A missing certificate file is a setup problem: say so, stay offline, try again later.
      this.o.log.error({ err: (err as Error).message }, 'cannot read the MQTT TLS files; staying offline and retrying');
      this.#lastAlive = Date.now() - this.o.config.watchdogMs;
      return;
    }
    const connect = this.o.connect ?? (await import('mqtt')).connect;
    const client = connect(this.o.config.url, options);
    this.#client = client;
    client.on('connect', () => {
      this.#backoff = this.o.config.reconnectMinMs;
      client.options.reconnectPeriod = this.#backoff;
      this.#lastAlive = Date.now();
      this.#lastError = undefined;
      this.o.log.info({ url: redactUrl(this.o.config.url) }, 'connected to the MQTT broker');
      this.emit('up', client);
    });
    client.on('close', () => {
      if (client !== this.#client) return;
      this.#backoff = nextBackoff(this.#backoff, this.o.config.reconnectMinMs, this.o.config.reconnectMaxMs);
      client.options.reconnectPeriod = this.#backoff;
      this.emit('down');
    });
    client.on('offline', () => this.o.log.debug('MQTT link offline; events wait in the outbox'));
    client.on('reconnect', () => {
      this.#lastAlive = Date.now();
      this.o.log.debug({ nextDelayMs: this.#backoff }, 'reconnecting to the MQTT broker');
    });
    // Offline is normal: say it once per distinct reason, not once per retry.
    client.on('error', (err) => {
      if (err.message === this.#lastError) return this.o.log.debug({ err: err.message }, 'MQTT error (again)');
      this.#lastError = err.message;
      this.o.log.warn({ err: err.message }, 'MQTT link failed; the locker keeps working offline and retries with backoff');
    });
    client.on('message', (topic, payload) => this.emit('message', topic, payload));
  }

  /** A client that is neither connected nor trying is replaced; so is one stuck for too long. */
  #checkAlive(): void {
    if (this.#stopped) return;
    const client = this.#client;
    if (client?.connected) {
      this.#lastAlive = Date.now();
      return;
    }
    if (Date.now() - this.#lastAlive < this.o.config.watchdogMs) return;
    this.o.log.warn({ replacements: this.#replacements + 1 }, 'MQTT client stuck; replacing it');
    this.#replacements++;
    this.#client = undefined;
    client?.removeAllListeners();
    client?.on('error', () => {});
    client?.end(true);
    this.#lastAlive = Date.now();
    void this.#create();
  }
}

/** Protocol version, user, password and TLS files from the config: what every connection of ours shares. Reads the files; throws if one is missing. */
export function credentials(c: LockerdConfig['mqtt']): IClientOptions {
  const read = (path: string | undefined): Buffer | undefined => (path ? readFileSync(path) : undefined);
  return {
    protocolVersion: c.protocolVersion,
    ...(c.username ? { username: c.username } : {}),
    ...(c.password ? { password: c.password } : {}),
    ca: read(c.tls.ca),
    cert: read(c.tls.cert),
    key: read(c.tls.key),
    rejectUnauthorized: c.tls.rejectUnauthorized,
  };
}

export function redactUrl(url: string): string {
  return url.replace(/^([^/]*\/\/)[^/]*@/, '$1(hidden)@');
}
