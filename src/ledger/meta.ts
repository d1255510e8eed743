import type { Db } from './database.js';

/**
 * Sets a key; an unchanged value writes nothing (no page of the SD card is rewritten to say the
 * same thing again, e.g. a timer saving a state that did not move).
 */
export const META_SET = 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value';

/** Small durable settings and counters (boot counter, key fingerprint, guessing throttle). */
export class MetaStore {
  readonly #get;
  readonly #set;

  constructor(db: Db) {
    this.#get = db.prepare<[string]>('SELECT value FROM meta WHERE key = ?');
    this.#set = db.prepare<[string, string]>(META_SET);
  }

  get(key: string): string | undefined {
    return (this.#get.get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string): void {
    this.#set.run(key, value);
  }
}
