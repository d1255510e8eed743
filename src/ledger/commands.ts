import type { Db } from './database.js';

export type CommandStatus = 'accepted' | 'done' | 'failed' | 'rejected';

/** Ids of every upstream command seen, so a replay is refused (kept longer than any command lives). */
export class CommandStore {
  readonly #get;
  readonly #insert;
  readonly #update;
  readonly #prune;

  constructor(db: Db) {
    this.#get = db.prepare<[string]>('SELECT status FROM commands_seen WHERE id = ?');
    this.#insert = db.prepare<[string, string, number, string, string | null]>('INSERT INTO commands_seen (id, type, received_at, status, reason) VALUES (?, ?, ?, ?, ?)');
    this.#update = db.prepare<[string, string | null, string]>('UPDATE commands_seen SET status = ?, reason = ? WHERE id = ?');
    this.#prune = db.prepare<[number]>('DELETE FROM commands_seen WHERE received_at < ?');
  }

  seen(id: string): CommandStatus | undefined {
    return (this.#get.get(id) as { status: CommandStatus } | undefined)?.status;
  }

  record(id: string, type: string, at: number, status: CommandStatus, reason: string | null = null): void {
    this.#insert.run(id, type, at, status, reason);
  }

  update(id: string, status: CommandStatus, reason: string | null = null): void {
    this.#update.run(status, reason, id);
  }

  prune(before: number): number {
    return this.#prune.run(before).changes;
  }
}
