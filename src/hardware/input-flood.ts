/**
 * The pure policy that mutes an input device flooding the kiosk (a rogue or broken USB scanner
 * sending thousands of inputs a second). No I/O, no timers: the InputRouter asks it about each
 * input with the time, and asks it which mutes have ended.
 *
 * A device floods when more than `maxInputsPerSecond` × `sustainedMs` inputs arrive within
 * `sustainedMs`: a short burst (a courier's scanner reading a label twice, a person typing fast)
 * never reaches it. A flooding device is muted for `mutedForMs`; one that floods again within
 * `maxMutedForMs` of its unmute gets twice its previous mute, up to `maxMutedForMs`, so a device
 * that never stops costs a few mutes a day, not one a minute.
 */

export interface FloodSettings {
  /** 0 never mutes. */
  maxInputsPerSecond: number;
  sustainedMs: number;
  mutedForMs: number;
  maxMutedForMs: number;
}

export interface DeviceMuted {
  device: string;
  inputsPerSecond: number;
  mutedForMs: number;
  until: number;
}

export interface DeviceUnmuted {
  device: string;
  /** Inputs dropped while muted. */
  droppedInputs: number;
  mutedForMs: number;
}

export type FloodDecision = { deliver: true } | { deliver: false; muted?: DeviceMuted };

/** Devices tracked at once (names come from the config, so this only bounds a mistake). */
const MAX_DEVICES = 64;

interface DeviceState {
  /** Ring of the arrival times of the last `limit + 1` inputs. */
  times: number[];
  next: number;
  filled: number;
  mutedUntil: number | null;
  mutedAt: number;
  mutedForMs: number;
  dropped: number;
  lastMuteMs: number;
  unmutedAt: number | null;
}

export class FloodPolicy {
  readonly #s: FloodSettings;
  /** Inputs allowed within `sustainedMs`; one more is a flood. */
  readonly #limit: number;
  readonly #devices = new Map<string, DeviceState>();

  constructor(settings: FloodSettings) {
    this.#s = settings;
    this.#limit = Math.max(1, Math.ceil((settings.maxInputsPerSecond * settings.sustainedMs) / 1000));
  }

  get enabled(): boolean {
    return this.#s.maxInputsPerSecond > 0;
  }

  isMuted(device: string): boolean {
    return (this.#devices.get(device)?.mutedUntil ?? null) !== null;
  }

  /** One input from `device` at `at`: deliver it, drop it, or drop it and mute the device. */
  offer(device: string, at: number): FloodDecision {
    if (!this.enabled) return { deliver: true };
    const d = this.#state(device);
    if (d.mutedUntil !== null) {
      d.dropped++;
      return { deliver: false };
    }
    const size = this.#limit + 1;
    d.times[d.next] = at;
    d.next = (d.next + 1) % size;
    d.filled = Math.min(size, d.filled + 1);
    if (d.filled < size) return { deliver: true };
    // The oldest of the last limit+1 inputs: all of them within sustainedMs is a flood.
    const oldest = d.times[d.next]!;
    const span = at - oldest;
    if (span < 0 || span >= this.#s.sustainedMs) return { deliver: true };
    const again = d.unmutedAt !== null && at - d.unmutedAt < this.#s.maxMutedForMs;
    const mutedForMs = Math.min(this.#s.maxMutedForMs, again ? Math.max(this.#s.mutedForMs, d.lastMuteMs * 2) : this.#s.mutedForMs);
    d.mutedUntil = at + mutedForMs;
    d.mutedAt = at;
    d.mutedForMs = mutedForMs;
    d.lastMuteMs = mutedForMs;
    d.dropped = 1;
    d.filled = 0;
    d.next = 0;
    const inputsPerSecond = Math.round((size * 1000) / Math.max(1, span));
    return { deliver: false, muted: { device, inputsPerSecond, mutedForMs, until: d.mutedUntil } };
  }

  /** The mutes that have ended by `at` (or whose clock went back past their start). */
  unmuteDue(at: number): DeviceUnmuted[] {
    const out: DeviceUnmuted[] = [];
    for (const [device, d] of this.#devices) {
      if (d.mutedUntil === null) continue;
      if (at < d.mutedUntil && at >= d.mutedAt) continue;
      out.push({ device, droppedInputs: d.dropped, mutedForMs: d.mutedForMs });
      d.mutedUntil = null;
      d.unmutedAt = at;
      d.dropped = 0;
    }
    return out;
  }

  /** The earliest time a mute ends, if any device is muted. */
  nextUnmute(): number | undefined {
    let next: number | undefined;
    for (const d of this.#devices.values()) if (d.mutedUntil !== null && (next === undefined || d.mutedUntil < next)) next = d.mutedUntil;
    return next;
  }

  #state(device: string): DeviceState {
    let d = this.#devices.get(device);
    if (!d) {
      if (this.#devices.size >= MAX_DEVICES) {
        for (const [name, s] of this.#devices) {
          if (s.mutedUntil === null) {
            this.#devices.delete(name);
            break;
          }
        }
      }
      d = { times: new Array<number>(this.#limit + 1).fill(0), next: 0, filled: 0, mutedUntil: null, mutedAt: 0, mutedForMs: 0, dropped: 0, lastMuteMs: 0, unmutedAt: null };
      this.#devices.set(device, d);
    }
    return d;
  }
}
