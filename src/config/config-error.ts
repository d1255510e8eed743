/** A configuration that cannot be used: every problem, one sentence each, for the log and the terminal. */
const MAX_PROBLEMS_IN_MESSAGE = 100;

export class ConfigError extends Error {
  /** The file name (or other label) the configuration came from. */
  readonly source: string;
  /** One sentence per problem, without the source prefix. Never contains a courier PIN. */
  readonly problems: string[];

  /** The OS error's code when the file could not be read at all (ENOENT, EACCES, ...). */
  readonly errno: string | undefined;

  constructor(source: string, problems: string[], errno?: string) {
    // The message goes to logs and terminals: keep it bounded; `problems` keeps them all.
    const shown = problems.slice(0, MAX_PROBLEMS_IN_MESSAGE).map((p) => `${source}: ${p}`);
    if (problems.length > MAX_PROBLEMS_IN_MESSAGE) {
      shown.push(`${source}: ... and ${problems.length - MAX_PROBLEMS_IN_MESSAGE} more problems`);
    }
    super(shown.join('\n'));
    this.name = 'ConfigError';
    this.source = source;
    this.problems = problems;
    this.errno = errno;
  }
}
