import type { Key } from '../../drivers/contracts.js';
import type { SimInput } from '../../drivers/sim/input.js';
import type { SimLockBoards } from '../../drivers/sim/lock-boards.js';
import { createApp, type App } from '../../src/app.js';
import type { LockerdConfig } from '../../src/config/types.js';
import type { ScreenState } from '../../src/kiosk/screen.js';
import type { Display } from '../../src/kiosk/session.js';
import type { Logger } from '../../src/log.js';

/**
 * The real app on the simulated locker, driven the way a person would: keys, scans, doors.
 * Hardware is replaced only at the simulator; everything above it is the production code.
 */
export class LockerHarness {
  readonly displays: Display[] = [];
  /** Every screen state the kiosk emitted (test/kiosk/screen-model.test.ts). */
  readonly screens: ScreenState[] = [];
  #parcels = 0;

  private constructor(readonly app: App) {
    app.kiosk.on('display', (d) => this.displays.push(d));
    app.kiosk.on('screen', (s) => this.screens.push(s));
  }

  /**
   * `now` is the wall clock; `monotonic` the guessing throttle's clock of this (simulated) boot; `controlSocket`: also serve the control socket, so tests can drive lockerctl against it;
   * `beforeStart` sets up the simulated hardware as the new boot finds it (a door left open across a restart).
   */
  static async start(config: LockerdConfig, log: Logger, now?: () => number, options: { controlSocket?: boolean; monotonic?: () => number; beforeStart?: (app: App) => void } = {}): Promise<LockerHarness> {
    const app = createApp(config, log, { now, controlSocket: options.controlSocket, monotonic: options.monotonic });
    options.beforeStart?.(app);
    await app.start();
    return new LockerHarness(app);
  }

  /** The simulated keypad, scanner and lock boards (the default config asks for all three). */
  get sim(): { keypad: SimInput; scanner: SimInput; boards: SimLockBoards } {
    const { keypad, scanner, boards } = this.app.sim;
    if (!boards) throw new Error('LockerHarness needs a config with a simulated bus');
    if (!keypad || !scanner) throw new Error('LockerHarness needs simulator.keypad and simulator.scanner in the config');
    return { keypad, scanner, boards };
  }

  /** Presses each character of `keys` and waits until the kiosk has handled them; returns what it said. */
  async keys(keys: string): Promise<string[]> {
    const from = this.displays.length;
    for (const k of keys) this.sim.keypad.press(k as Key);
    await this.settle();
    return this.displays.slice(from).map((d) => d.text);
  }

  async scan(text: string): Promise<string[]> {
    const from = this.displays.length;
    this.sim.scanner.scan(text);
    await this.settle();
    return this.displays.slice(from).map((d) => d.text);
  }

  async door(compartmentId: string, open: boolean): Promise<string[]> {
    const from = this.displays.length;
    const c = this.app.ledger.compartments.get(compartmentId);
    if (!c) throw new Error(`no compartment ${compartmentId}`);
    this.sim.boards.setDoor(c, open);
    await this.settle();
    return this.displays.slice(from).map((d) => d.text);
  }

  async settle(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await this.app.kiosk.idle();
  }

  lastSaid(): string | undefined {
    return this.displays.at(-1)?.text;
  }

  /** The plaintext code from the newest unsent `parcel.deposited` event that carries one (as upstream would receive it). */
  latestCode(): string {
    const events = this.app.ledger.outbox.list({ limit: 10_000 }).filter((e) => e.type === 'parcel.deposited' && typeof e.data.code === 'string');
    const code = events.at(-1)?.data.code;
    if (typeof code !== 'string') throw new Error('no parcel.deposited event with a code in the outbox');
    return code;
  }

  /** A courier deposit from login to closed door; returns the compartment used. */
  async deposit(opts: { pin?: string; tracking?: string; unit: string; size?: '1' | '2' | '3' | '4' | '' }): Promise<string> {
    await this.keys(`${opts.pin ?? '111111'}#`);
    // A fresh tracking number per parcel: the locker refuses one that is already inside.
    await this.scan(opts.tracking ?? `TEST${String(++this.#parcels).padStart(8, '0')}`);
    await this.keys(`${opts.unit}#`);
    await this.keys(`${opts.size ?? ''}#`);
    const open = this.app.locker.openDoors();
    const compartment = open.at(-1)?.compartmentId;
    if (!compartment) throw new Error(`no door opened; kiosk said: ${this.lastSaid()}`);
    await this.door(compartment, false);
    await this.keys('*');
    return compartment;
  }

  async stop(): Promise<void> {
    await this.app.stop();
  }
}
