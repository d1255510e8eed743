import type { Db } from './database.js';

/** Small durable settings and counters (boot counter, key fingerprint, guessing throttle). */
export class MetaStore {
  readonly #get;
  readonly #set;

  constructor(db: Db) {
    this.#get = db.prepare<[string]>('SELECT value FROM meta WHERE key = ?');
    this.#set = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  get(key: string): string | undefined {
    return (this.#get.get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string): void {
    this.#set.run(key, value);
  }
}
