/**
 * Progress of a slow command on stderr. On a terminal: one line, redrawn in place, with a spinner,
 * the elapsed time and the events counted so far, shown after the first second and erased at the
 * end. Otherwise (a log, a pipe): a plain line after the first second and then every 10 s, so a
 * journal shows the command was alive without a line per event.
 */

export interface ProgressOptions {
  write(s: string): void;
  /** stderr is a terminal. */
  tty: boolean;
  /** What is going on, e.g. 'scanning the buses'. */
  label: string;
  /** Counted things, e.g. 'parcels' (shown once there are any). */
  unit?: string;
  now?: () => number;
}

const SPINNER = ['|', '/', '-', '\\'];
const FIRST_MS = 1000;
const TICK_MS = 100;
const PLAIN_EVERY_MS = 10_000;

export interface Progress {
  /** One more event (e.g. a parcel written). */
  count(): void;
  /** Done: the terminal line is erased so the answer starts on a clean line. */
  stop(): void;
}

export function startProgress(o: ProgressOptions): Progress {
  const now = o.now ?? Date.now;
  const started = now();
  let counted = 0;
  let frame = 0;
  let drawn = false;
  let nextPlain = started + FIRST_MS;
  const text = (): string => {
    const seconds = Math.floor((now() - started) / 1000);
    return `${o.label}: ${seconds} s${o.unit && counted > 0 ? `, ${counted} ${o.unit}` : ''}`;
  };
  const tick = (): void => {
    if (now() - started < FIRST_MS) return;
    if (o.tty) {
      o.write(`\r\x1b[2K${SPINNER[frame++ % SPINNER.length]} ${text()}`);
      drawn = true;
    } else if (now() >= nextPlain) {
      o.write(`lockerctl: ${text()}\n`);
      nextPlain = now() + PLAIN_EVERY_MS;
    }
  };
  const timer = setInterval(tick, TICK_MS);
  // A progress line never keeps lockerctl alive on its own.
  timer.unref();
  return {
    count: () => {
      counted++;
    },
    stop: () => {
      clearInterval(timer);
      if (drawn) o.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
