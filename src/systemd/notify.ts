/**
 * Telling systemd how the daemon is (sd_notify(3)): READY=1, STATUS=..., WATCHDOG=1, STOPPING=1,
 * as datagrams to $NOTIFY_SOCKET. Node has no Unix datagram sockets, so the send is a small
 * function in the project's own N-API addon build (native/sdnotify, built with peercred by
 * `npm ci`); docs/systemd.md says why not `systemd-notify` or the unix-dgram package.
 *
 * Everything here does nothing when NOTIFY_SOCKET is unset (a terminal, a test, `npm start`).
 * The environment is given, not read from process.env, so tests say what the service manager set.
 */
import { addonFile, loadAddonFunction } from '../native-addon.js';

/** Where node-gyp puts the addon, relative to the package root. */
export const SDNOTIFY_ADDON = addonFile('sdnotify');
/** What a technician runs to build it (node-gyp comes with npm; it needs make, gcc and python3). */
export const SDNOTIFY_FIX = 'npm run build:native in the lockerd directory (needs build-essential and python3), then restart lockerd';

/** Sends one datagram; null when sent, else what went wrong. */
export type SendDatagram = (socketPath: string, message: string) => string | null;

export type NotifySupport = { available: true; send: SendDatagram } | { available: false; reason: string };

let loaded: NotifySupport | undefined;

/** The addon's notify(), loaded once (like peercred in src/control/peer.ts); why not, when it cannot load. */
export function notifySupport(): NotifySupport {
  if (!loaded) {
    const addon = loadAddonFunction<SendDatagram>(SDNOTIFY_ADDON, 'notify');
    loaded = 'fn' in addon ? { available: true, send: addon.fn } : { available: false, reason: addon.error };
  }
  return loaded;
}

/** What the service manager put in the environment, as far as lockerd uses it. */
export interface ServiceManagerEnv {
  /** $NOTIFY_SOCKET: a path or an @abstract name; null when not run by a service manager that listens. */
  socket: string | null;
  /** The watchdog period ($WATCHDOG_USEC) in ms, when it is meant for this process ($WATCHDOG_PID). */
  watchdogMs: number | null;
}

/**
 * Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as sd_watchdog_enabled(3) does: the
 * watchdog applies only when WATCHDOG_PID is unset or is this process (a child that inherited
 * the variables must not ping on its parent's behalf).
 */
export function serviceManagerEnv(env: NodeJS.ProcessEnv, pid: number): ServiceManagerEnv {
  const socket = env.NOTIFY_SOCKET && env.NOTIFY_SOCKET !== '' ? env.NOTIFY_SOCKET : null;
  let watchdogMs: number | null = null;
  const usec = env.WATCHDOG_USEC;
  if (usec !== undefined && /^\d{1,15}$/.test(usec) && Number(usec) > 0) {
    const forPid = env.WATCHDOG_PID;
    if (forPid === undefined || forPid === '' || forPid === String(pid)) watchdogMs = Number(usec) / 1000;
  }
  return { socket, watchdogMs };
}

/** STATUS= text fits one line: no newlines (they would start a new assignment), bounded length. */
export function statusLine(text: string): string {
  const one = text.replace(/[\r\n]+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 199)}…` : one;
}

export interface NotifierOptions {
  env: ServiceManagerEnv;
  /** The datagram sender; default the addon's (when it loads). */
  support?: NotifySupport;
  /** Called once per kind of failure, so a dead socket is said once, not every 15 s. */
  onError?: (error: string, message: string) => void;
}

/** The daemon's side of sd_notify. Every call is a no-op without NOTIFY_SOCKET. */
export class Notifier {
  readonly #socket: string | null;
  readonly #send: SendDatagram | null;
  readonly #onError: (error: string, message: string) => void;
  #lastError: string | null = null;

  constructor(options: NotifierOptions) {
    this.#socket = options.env.socket;
    const support = options.support ?? (this.#socket ? notifySupport() : { available: false as const, reason: 'not needed' });
    this.#send = support.available ? support.send : null;
    this.#onError = options.onError ?? (() => {});
  }

  /** Whether a service manager listens (NOTIFY_SOCKET is set). */
  get enabled(): boolean {
    return this.#socket !== null;
  }

  /** Whether messages can reach it: enabled and the addon loaded. */
  get working(): boolean {
    return this.#socket !== null && this.#send !== null;
  }

  ready(status: string): boolean {
    return this.#notify(`READY=1\nSTATUS=${statusLine(status)}`);
  }

  status(text: string): boolean {
    return this.#notify(`STATUS=${statusLine(text)}`);
  }

  watchdog(): boolean {
    return this.#notify('WATCHDOG=1');
  }

  stopping(status: string): boolean {
    return this.#notify(`STOPPING=1\nSTATUS=${statusLine(status)}`);
  }

  /** Sent, or false (no socket, no addon, or the send failed: reported through onError once per error). */
  #notify(message: string): boolean {
    if (this.#socket === null || this.#send === null) return false;
    const error = this.#send(this.#socket, message);
    if (error === null) {
      this.#lastError = null;
      return true;
    }
    if (error !== this.#lastError) this.#onError(error, message.split('\n')[0]!);
    this.#lastError = error;
    return false;
  }
}
