import type { MqttClient } from 'mqtt';
import type { DoorHardware } from '../../drivers/contracts.js';
import type { LockerdConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { OutboxRawRow } from '../ledger/outbox.js';
import type { Logger } from '../log.js';
import type { LockerAdministration } from '../locker/administration.js';
import type { LockerService } from '../locker/locker-service.js';
import { CommandInbox, type Ack } from './command-inbox.js';
import { reportLinkFindings } from './deployment.js';
import { UpstreamLink } from './link.js';
import { OutboxPublisher } from './publisher.js';
import { inventorySnapshot, telemetrySnapshot } from './snapshots.js';
import { topics, type Topics } from './topics.js';

export interface SyncServiceDeps {
  config: LockerdConfig;
  ledger: Ledger;
  locker: LockerService;
  admin: LockerAdministration;
  doors: DoorHardware;
  log: Logger;
  version: string;
  startedAt: number;
  now?: () => number;
}

const HOUR = 3_600_000;
/** A replay whose events the broker has not all acknowledged by then is reported failed. */
const REPLAY_TIMEOUT_MS = 60_000;

/**
 * Upstream sync as one unit: the link to the broker, the outbox publisher, the command inbox,
 * and the retained status and inventory plus periodic telemetry. The locker works the same with
 * or without it; this only carries what the ledger already holds.
 */
export class SyncService {
  readonly topics: Topics;
  readonly #now: () => number;
  readonly #publisher: OutboxPublisher;
  readonly #inbox: CommandInbox;
  #link: UpstreamLink | undefined;
  #client: MqttClient | undefined;
  #lastInventory = '';
  #inventoryTimer: NodeJS.Timeout | undefined;
  #telemetryTimer: NodeJS.Timeout | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  #lastAckAt: number | null = null;
  readonly #latencies: number[] = [];
  readonly #onCommitted = (): void => {
    this.#publisher.wake();
    this.#scheduleInventory();
  };

  constructor(private readonly d: SyncServiceDeps) {
    this.#now = d.now ?? Date.now;
    this.topics = topics(d.config.mqtt.prefix, d.config.kioskId);
    this.#publisher = new OutboxPublisher({
      ledger: d.ledger,
      topic: this.topics.events,
      kioskId: d.config.kioskId,
      window: d.config.mqtt.inflight,
      log: d.log,
      now: this.#now,
      onAcked: (latency) => {
        this.#lastAckAt = this.#now();
        this.#latencies.push(latency);
        if (this.#latencies.length > 1000) this.#latencies.shift();
      },
    });
    this.#inbox = new CommandInbox({ ledger: d.ledger, locker: d.locker, admin: d.admin, config: d.config, log: d.log, now: this.#now, sendAck: (ack) => this.#sendAck(ack), republish: (rows) => this.#republish(rows) });
  }

  get connected(): boolean {
    return this.#link?.connected === true;
  }

  /** For `lockerctl outbox` and `status`: link state, last acknowledgement, recent commit-to-PUBACK latency. */
  state(): { enabled: boolean; connected: boolean; lastAckAt: string | null; inflight: number; recentLatencyMs: { p50: number; p99: number } | null } {
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
    return {
      enabled: this.d.config.mqtt.enabled,
      connected: this.connected,
      lastAckAt: this.#lastAckAt === null ? null : new Date(this.#lastAckAt).toISOString(),
      inflight: this.#publisher.inflight,
      recentLatencyMs: sorted.length ? { p50: pct(50), p99: pct(99) } : null,
    };
  }

  #status(state: 'online' | 'offline'): string {
    return JSON.stringify({
      state,
      kioskId: this.d.config.kioskId,
      version: this.d.version,
      bootCount: this.d.ledger.bootCount,
      bootedAt: new Date(this.d.startedAt).toISOString(),
      at: new Date(this.#now()).toISOString(),
    });
  }

  async start(): Promise<void> {
    this.#prune();
    this.#pruneTimer = setInterval(() => this.#prune(), HOUR);
    this.#pruneTimer.unref();
    if (!this.d.config.mqtt.enabled) {
      this.d.log.info('upstream sync disabled by config (mqtt.enabled = false); events wait in the outbox');
      return;
    }
    // Said at every start, where a technician looks first; `lockerctl selftest` says it again.
    reportLinkFindings(this.d.config.mqtt, this.d.log);
    const link = new UpstreamLink({ config: this.d.config.mqtt, kioskId: this.d.config.kioskId, topics: this.topics, willPayload: this.#status('offline'), log: this.d.log });
    this.#link = link;
    link.on('up', (client) => this.#onUp(client));
    link.on('down', () => {
      this.#client = undefined;
      this.#publisher.pause();
    });
    link.on('message', (topic, payload) => {
      if (topic !== this.topics.commands) return;
      this.#inbox.handle(payload).catch((err: unknown) => this.d.log.error({ err }, 'command handling failed'));
    });
    this.d.ledger.on('committed', this.#onCommitted);
    await link.start();
    this.#telemetryTimer = setInterval(() => this.#publishTelemetry(), this.d.config.mqtt.telemetryIntervalMs);
    this.#telemetryTimer.unref();
  }

  async stop(): Promise<void> {
    this.d.ledger.off('committed', this.#onCommitted);
    clearInterval(this.#telemetryTimer);
    clearInterval(this.#pruneTimer);
    clearTimeout(this.#inventoryTimer);
    this.#publisher.stop();
    // A clean stop says so itself; the will is for deaths.
    await this.#link?.stop({ topic: this.topics.status, payload: this.#status('offline') });
    this.#link = undefined;
  }

  #onUp(client: MqttClient): void {
    this.#client = client;
    client.subscribe(this.topics.commands, { qos: 1 }, (err) => {
      if (err) this.d.log.error({ err: err.message }, 'could not subscribe to commands');
    });
    client.publish(this.topics.status, this.#status('online'), { qos: 1, retain: true });
    this.#lastInventory = '';
    this.#publishInventory();
    this.#publisher.resume(client);
  }

  #sendAck(ack: Ack): void {
    this.#client?.publish(this.topics.acks, JSON.stringify(ack), { qos: 1 });
  }

  /** `events.replay`: the rows again, a window at a time, each waiting for its PUBACK. The watermark is not touched. */
  async #republish(rows: OutboxRawRow[]): Promise<void> {
    const client = this.#client;
    if (!client) throw new Error('the link to the broker is down');
    const window = this.d.config.mqtt.inflight;
    let acked = 0;
    const publish = (row: OutboxRawRow): Promise<void> =>
      new Promise((resolve, reject) => client.publish(this.topics.events, row.envelope, { qos: 1 }, (err) => (err ? reject(err) : (acked++, resolve()))));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the broker acknowledged ${acked} of ${rows.length} replayed events within ${REPLAY_TIMEOUT_MS / 1000} s`)), REPLAY_TIMEOUT_MS);
    });
    try {
      for (let i = 0; i < rows.length; i += window) {
        if (this.#client !== client) throw new Error(`the link dropped after ${acked} of ${rows.length} replayed events`);
        await Promise.race([Promise.all(rows.slice(i, i + window).map(publish)), deadline]);
      }
    } catch (err) {
      const m = (err as Error).message;
      throw new Error(m.includes('replayed events') ? m : `the broker acknowledged ${acked} of ${rows.length} replayed events (${m})`);
    } finally {
      clearTimeout(timer);
    }
  }

  #scheduleInventory(): void {
    if (!this.#client || this.#inventoryTimer) return;
    this.#inventoryTimer = setTimeout(() => {
      this.#inventoryTimer = undefined;
      this.#publishInventory();
    }, 200);
    this.#inventoryTimer.unref();
  }

  /** Retained, and only when it changed: brokers keep the last one for new subscribers. */
  #publishInventory(): void {
    if (!this.#client) return;
    const snapshot = inventorySnapshot(this.d.ledger, this.d.locker.offlineBoards(), this.#now());
    const key = JSON.stringify({ ...snapshot, at: undefined });
    if (key === this.#lastInventory) return;
    this.#lastInventory = key;
    this.#client.publish(this.topics.inventory, JSON.stringify(snapshot), { qos: 1, retain: true });
  }

  #publishTelemetry(): void {
    this.#client?.publish(this.topics.telemetry, JSON.stringify(telemetrySnapshot(this.d.ledger, this.d.doors, this.d.startedAt, this.#now())), { qos: 0 });
  }

  #prune(): void {
    const now = this.#now();
    try {
      this.d.ledger.transaction(() => {
        // Codes first: a row is pruned only once its code is gone.
        const codes = this.d.ledger.outbox.eraseExpiredCodes(now - this.d.config.mqtt.codeRetentionHours * HOUR);
        const events = this.d.ledger.outbox.prune(now, { retentionMs: this.d.config.mqtt.retentionDays * 24 * HOUR, unconfirmedGraceMs: this.d.config.mqtt.codeRetentionHours * HOUR });
        const commands = this.d.ledger.commands.prune(now - 2 * this.d.config.mqtt.maxCommandTtlMs);
        const expected = this.d.ledger.expectedDeliveries.prune(now);
        if (codes > 0) this.d.log.warn({ codes, hours: this.d.config.mqtt.codeRetentionHours }, 'erased retrieval codes upstream never confirmed (events.ack) within mqtt.codeRetentionHours of the broker\'s acknowledgement');
        if (events + commands + expected > 0) this.d.log.info({ events, commands, expected }, 'pruned old rows');
      });
    } catch (err) {
      this.d.log.error({ err }, 'pruning failed; will try again in an hour');
    }
  }
}
