import mqtt, { type MqttClient } from 'mqtt';
import { checkEvent, describeErrors, validators } from '../../src/sync/validate.js';

export interface Received {
  topic: string;
  payload: string;
  json: unknown;
  retain: boolean;
}

/**
 * Plays upstream: subscribes to everything under the locker's root, checks every message against
 * the contract (docs/mqtt.asyncapi.yaml is generated from the same schemas), and can send commands.
 */
export class Upstream {
  readonly received: Received[] = [];
  readonly violations: string[] = [];

  private constructor(readonly client: MqttClient, readonly root: string) {
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString('utf8');
      let json: unknown = null;
      try {
        json = text === '' ? null : JSON.parse(text);
      } catch {
        this.violations.push(`${topic}: not JSON`);
      }
      if (text !== '') this.#check(topic, json);
      this.received.push({ topic, payload: text, json, retain: packet.retain });
    });
  }

  static async connect(url: string, root: string, options: mqtt.IClientOptions = {}): Promise<Upstream> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 200, connectTimeout: 5000, ...options });
    const u = new Upstream(client, root);
    await client.subscribeAsync(`${root}/#`, { qos: 1 });
    return u;
  }

  #check(topic: string, json: unknown): void {
    const leaf = topic.slice(this.root.length + 1);
    const v = { status: validators.status, inventory: validators.inventory, telemetry: validators.telemetry, acks: validators.ack, commands: validators.commandEnvelope }[leaf];
    if (leaf === 'events') {
      const problem = checkEvent(json);
      if (problem) this.violations.push(`${topic}: ${problem}`);
    } else if (v) {
      if (!v(json)) this.violations.push(`${topic}: ${describeErrors(v, leaf)}`);
    } else {
      this.violations.push(`${topic}: not a topic of the contract`);
    }
  }

  events(): { id: string; seq: number; type: string; data: Record<string, unknown> }[] {
    return this.received.filter((m) => m.topic === `${this.root}/events`).map((m) => m.json as { id: string; seq: number; type: string; data: Record<string, unknown> });
  }

  /** Events after de-duplication by id, in order of first arrival. */
  uniqueEvents(): { id: string; seq: number; type: string; data: Record<string, unknown> }[] {
    const seen = new Set<string>();
    return this.events().filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
  }

  acks(commandId?: string): { commandId: string; status: string; reason?: string }[] {
    return this.received
      .filter((m) => m.topic === `${this.root}/acks`)
      .map((m) => m.json as { commandId: string; status: string; reason?: string })
      .filter((a) => commandId === undefined || a.commandId === commandId);
  }

  latest(leaf: string): unknown {
    return this.received.filter((m) => m.topic === `${this.root}/${leaf}`).at(-1)?.json;
  }

  async command(type: string, data: unknown, over: Record<string, unknown> = {}): Promise<string> {
    const id = (over.id as string | undefined) ?? `cmd-${Math.random().toString(36).slice(2, 10)}`;
    const now = Date.now();
    const envelope = { id, type, issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 60_000).toISOString(), data, ...over };
    await this.client.publishAsync(`${this.root}/commands`, JSON.stringify(envelope), { qos: 1 });
    return id;
  }

  async raw(payload: string | Buffer): Promise<void> {
    await this.client.publishAsync(`${this.root}/commands`, payload, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Polls until `check` returns a truthy value or the time is up. */
export async function until<T>(check: () => T | undefined | false | null, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
