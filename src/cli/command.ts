/**
 * One lockerctl command: its words, its help, how its words map to a control request and how its
 * answer is shown. A feature keeps its commands in src/cli/commands/<feature>.ts and lists them in
 * commands/index.ts; the parser, the help, the suggestions and the bash completion read them from
 * there, so a new command needs nothing else.
 */
export interface CliCommand {
  /** The words that select it, e.g. ['sim', 'door']. */
  words: string[];
  /** The synopsis after `lockerctl`, e.g. 'sim door COMPARTMENT open|close'. */
  usage: string;
  /** One line for the overview and the group lists. */
  summary: string;
  /** Where the overview lists it (see GROUPS in help.ts); an unknown group is listed last. */
  group?: string;
  /** The paragraph `lockerctl <words> --help` shows (default: the summary). Plain text, wrapped at 80 columns. */
  description?: string;
  /** Example command lines, without `lockerctl ` (default: the usage). */
  examples?: string[];
  /** Its options (the global ones, --json --socket --config --help, come on their own). */
  flags?: FlagSpec[];
  /** Its answer is a stream of events: with --json, one object per line and `{"result": ...}` last. */
  streams?: boolean;
  /**
   * Takes long enough to show progress on stderr (a spinner with the elapsed time on a terminal,
   * plain lines otherwise; see progress.ts): what is going on, what its events count (e.g.
   * 'parcels'), and when (default: always).
   */
  progress?: { label: string; unit?: string; when?: (flags: Flags) => boolean };
  /** Builds the control request from the remaining words and the options; throws UsageError. */
  request?(args: string[], flags: Flags): { command: string; args: Record<string, unknown> };
  /** Runs without the daemon instead (pure tools such as `barcode parse`); may import what it needs lazily. */
  local?(args: string[], flags: Flags): unknown;
  /** Human-readable output; `--json` prints the result as it is. May be async to import a formatter lazily. */
  format(result: unknown): string | Promise<string>;
  /** Exit status for a result the daemon did return (default 0), e.g. 2 when a self-test failed. */
  exitCode?(result: unknown): number;
  /**
   * A streaming command that writes its events itself (a file, CSV on stdout) instead of printing
   * each as it comes and `format`ting the result: made before the request (it may refuse, e.g.
   * a file that exists), fed every event, then closed with the final result or aborted.
   */
  sink?(flags: Flags, out: (s: string) => void): EventSink;
}

/** One option of a command. */
export interface FlagSpec {
  /** With the dashes: '--limit'. */
  name: string;
  /** It takes a value (`--limit 5`, `--limit=5`); otherwise it is a switch and takes none. */
  value: boolean;
  /** The value's placeholder in the help, e.g. 'N' (default 'VALUE'). */
  arg?: string;
  /** What it does, for the help (one short sentence). */
  help?: string;
  /** The values bash completion offers after it, e.g. ['csv', 'json']; 'file' offers file names. */
  complete?: string[] | 'file';
}

export interface EventSink {
  event(event: unknown): void;
  /** The stream ended (`result` is `{ stopped: true, ... }` when it was cut short): what to tell on stderr, and the exit status. */
  close(result: unknown): { message: string; exitCode: number };
  /** The request failed (refused, daemon gone before answering): undo what was started. */
  abort(): void;
}

/** Options by name with their dashes: `{ '--limit': '5', '--json': true }`. */
export type Flags = Record<string, string | true>;

/** A command line lockerctl cannot use; `command` names the command whose help to point to. */
export class UsageError extends Error {
  override name = 'UsageError';
  command?: string;
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

/** The command's words as typed: 'sim door'. */
export function commandName(command: CliCommand): string {
  return command.words.join(' ');
}
