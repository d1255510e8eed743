/**
 * The core's reaction to the cabinet's signals, and the kiosk's feedback tones:
 *
 * - tamper switch: every change is recorded (audit + `kiosk.tamper` event, one transaction);
 * - UPS power-fail: once mains power has been gone for the input's debounce time, the loss is
 *   recorded (audit + `kiosk.power_lost`), the ledger's WAL is checkpointed into the main file,
 *   and a clean shutdown is requested. systemd starts the daemon again (Restart=always): if
 *   power is still out and the loss is already on record, it keeps running on the UPS and does
 *   not record or shut down again (no restart loop); the return of power is audited;
 * - feedback: the kiosk's `display` tones drive the buzzer and lights (success: good beep,
 *   error: error beep) and the busy light follows whether a session is in progress.
 *
 * The last recorded states live in the ledger's meta table, so a restart neither repeats nor
 * misses a change.
 */
import type { KioskFeedback, KioskSignals, PowerSignal, TamperSignal } from '../../drivers/contracts.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../log.js';
import type { Display } from './session.js';

const TAMPER_KEY = 'kiosk.tamper_open';
const POWER_KEY = 'kiosk.power_lost';

export interface DisplaySource {
  readonly state: string;
  on(event: 'display', listener: (d: Display) => void): unknown;
  off(event: 'display', listener: (d: Display) => void): unknown;
}

export interface KioskSignalsUnitDeps {
  ledger: Ledger;
  kiosk: DisplaySource;
  signals: KioskSignals;
  feedback: KioskFeedback;
  log: Logger;
  /** Asks the daemon to stop cleanly (the daemon: SIGTERM to itself). */
  requestShutdown: (reason: string) => void;
  now?: () => number;
}

export class KioskSignalsUnit {
  readonly #d: KioskSignalsUnitDeps;
  readonly #now: () => number;
  #started = false;
  #shuttingDown = false;

  readonly #onTamper = (s: TamperSignal): void => this.#safely(() => this.#tamper(s.open, s.at.getTime()));
  readonly #onPower = (s: PowerSignal): void => this.#safely(() => this.#power(s.lost, s.at.getTime(), false));
  readonly #onDisplay = (d: Display): void => {
    if (d.tone === 'success') this.#d.feedback.beep('good');
    else if (d.tone === 'error') this.#d.feedback.beep('error');
    this.#d.feedback.busy(this.#d.kiosk.state !== 'idle');
  };

  constructor(deps: KioskSignalsUnitDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#d.signals.start();
    if ((this.#d.feedback as unknown) !== (this.#d.signals as unknown)) await this.#d.feedback.start();
    // Changes that happened while the daemon was not running are recorded now.
    const { tamperOpen, powerLost } = this.#d.signals.state();
    if (tamperOpen !== null) this.#tamper(tamperOpen, this.#now());
    if (powerLost !== null) this.#power(powerLost, this.#now(), true);
    this.#d.signals.on('tamper', this.#onTamper);
    this.#d.signals.on('power', this.#onPower);
    this.#d.kiosk.on('display', this.#onDisplay);
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#d.signals.off('tamper', this.#onTamper);
    this.#d.signals.off('power', this.#onPower);
    this.#d.kiosk.off('display', this.#onDisplay);
    await this.#d.signals.stop();
    if ((this.#d.feedback as unknown) !== (this.#d.signals as unknown)) await this.#d.feedback.stop();
  }

  /** Signals arrive from timers: a failure here is logged, never an uncaught exception. */
  #safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#d.log.error({ err }, 'recording a cabinet signal failed');
    }
  }

  #tamper(open: boolean, at: number): void {
    const { ledger, log } = this.#d;
    const recorded = ledger.meta.get(TAMPER_KEY);
    if (recorded === undefined && !open) {
      // First sight of a closed cabinet: nothing happened, just remember it.
      ledger.transaction(() => ledger.meta.set(TAMPER_KEY, '0'));
      return;
    }
    if (recorded === (open ? '1' : '0')) return;
    ledger.transaction(() => {
      ledger.meta.set(TAMPER_KEY, open ? '1' : '0');
      ledger.audit.record({ at, actor: 'system', action: open ? 'kiosk.tamper_opened' : 'kiosk.tamper_closed' });
      ledger.outbox.append('kiosk.tamper', at, { open });
    });
    if (open) log.warn('cabinet tamper switch: the kiosk cabinet was opened; alarm sent upstream');
    else log.info('cabinet tamper switch: the kiosk cabinet is closed again');
  }

  #power(lost: boolean, at: number, atStart: boolean): void {
    const { ledger, log } = this.#d;
    const recorded = ledger.meta.get(POWER_KEY) === '1';
    if (!lost) {
      if (recorded) {
        ledger.transaction(() => {
          ledger.meta.set(POWER_KEY, '0');
          ledger.audit.record({ at, actor: 'system', action: 'kiosk.power_restored' });
        });
        log.info('mains power is back');
      }
      return;
    }
    if (recorded) {
      if (atStart) log.warn('running on UPS battery: mains power was lost before this start and is still out (already recorded; not shutting down again)');
      return;
    }
    ledger.transaction(() => {
      ledger.meta.set(POWER_KEY, '1');
      ledger.audit.record({ at, actor: 'system', action: 'kiosk.power_lost', detail: { atStart } });
      ledger.outbox.append('kiosk.power_lost', at, {});
    });
    try {
      ledger.checkpoint();
    } catch (err) {
      log.error({ err }, 'ledger checkpoint after power loss failed; the WAL still holds every commit');
    }
    if (atStart) {
      // Started on battery: stopping would only be undone by systemd. Keep serving while the UPS lasts.
      log.warn('mains power is out (UPS power-fail input active at start); recorded, ledger checkpointed, running on battery');
      return;
    }
    log.warn('mains power lost (UPS power-fail input); recorded, ledger checkpointed, shutting down cleanly');
    if (!this.#shuttingDown) {
      this.#shuttingDown = true;
      this.#d.requestShutdown('power lost');
    }
  }
}
