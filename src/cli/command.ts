/** One lockerctl command: how its words map to a control request and how its answer is shown. */
export interface CliCommand {
  /** The words that select it, e.g. ['sim', 'door']. */
  words: string[];
  /** Shown in the usage text, e.g. 'sim door COMPARTMENT open|close'. */
  usage: string;
  summary: string;
  /** Options of this command; `value: true` means it takes a value (`--limit 5`). */
  flags?: { name: string; value: boolean }[];
  /** Builds the control request from the remaining words and the options; throws UsageError. */
  request?(args: string[], flags: Flags): { command: string; args: Record<string, unknown> };
  /** Runs without the daemon instead (pure tools such as `barcode parse`). */
  local?(args: string[], flags: Flags): unknown;
  /** Human-readable output; `--json` prints the result as it is. */
  format(result: unknown): string;
  /** Exit status for a result the daemon did return (default 0), e.g. 2 when a self-test failed. */
  exitCode?(result: unknown): number;
  /**
   * A streaming command that writes its events itself (a file, CSV on stdout) instead of printing
   * each as it comes and `format`ting the result: made before the request (it may refuse, e.g.
   * a file that exists), fed every event, then closed with the final result or aborted.
   */
  sink?(flags: Flags, out: (s: string) => void): EventSink;
}

export interface EventSink {
  event(event: unknown): void;
  /** The stream ended (`result` is `{ stopped: true, ... }` when it was cut short): what to tell on stderr, and the exit status. */
  close(result: unknown): { message: string; exitCode: number };
  /** The request failed (refused, daemon gone before answering): undo what was started. */
  abort(): void;
}

export type Flags = Record<string, string | true>;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A `--limit N` option, checked. */
export function limitFlag(flags: Flags): { limit?: number } {
  const v = flags['--limit'];
  if (v === undefined) return {};
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < 1) throw new UsageError('--limit must be a whole number of at least 1');
  return { limit: n };
}

/** An `--after SEQ` option (an outbox seq), checked. */
export function afterFlag(flags: Flags): { after?: number } {
  const v = flags['--after'];
  if (v === undefined) return {};
  const n = Number(v);
  if (v === true || !Number.isSafeInteger(n) || n < 1) throw new UsageError('--after must be an outbox seq, a whole number of at least 1 (the "seq" column)');
  return { after: n };
}

export function expectArgs(args: string[], count: number, usage: string): void {
  if (args.length !== count) throw new UsageError(`usage: lockerctl ${usage}`);
}
