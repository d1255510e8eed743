/**
 * When the screen shows staff that the locker is offline: only after upstream has been
 * unreachable for `OFFLINE_NOTICE_AFTER_MS`, since a link that blinks for a minute is not news,
 * and never when sync is disabled by config (offline is then the intended state). Pure.
 */
export const OFFLINE_NOTICE_AFTER_MS = 5 * 60_000;

export interface UpstreamNoticeState {
  /** When the link was first seen down in this outage (ms), or null while it is up. */
  downSince: number | null;
}

export function upstreamNotice(state: UpstreamNoticeState, enabled: boolean, connected: boolean, now: number): { state: UpstreamNoticeState; offline: boolean } {
  if (!enabled || connected) return { state: { downSince: null }, offline: false };
  const downSince = state.downSince ?? now;
  return { state: { downSince }, offline: now - downSince >= OFFLINE_NOTICE_AFTER_MS };
}

/** How often the link is looked at for the banner. */
const WATCH_MS = 15_000;

/** Looks at the link every 15 s and tells the screen when the banner starts or ends. */
export class UpstreamNoticeWatch {
  #state: UpstreamNoticeState = { downSince: null };
  #shown = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: { enabled: boolean; connected: () => boolean; show: (offline: boolean) => void; now?: () => number },
  ) {}

  start(): void {
    this.#timer = setInterval(() => this.check(), WATCH_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One look; exposed for tests. */
  check(): void {
    const r = upstreamNotice(this.#state, this.o.enabled, this.o.connected(), (this.o.now ?? Date.now)());
    this.#state = r.state;
    if (r.offline !== this.#shown) {
      this.#shown = r.offline;
      this.o.show(r.offline);
    }
  }
}
