/**
 * lockerd's own command line: `--config FILE`, `--check-config [FILE]`, `--help`, `--version`.
 * Parsed strictly (node:util parseArgs), so a mistyped option stops the start with one line and
 * exit 64 instead of being ignored: under systemd a unit with `--confg` would otherwise run on the
 * built-in demo config.
 */
import { parseArgs } from 'node:util';

export const EXIT_USAGE = 64; // EX_USAGE

export type DaemonInvocation =
  | { kind: 'run' }
  /** `file`: the one given to --check-config, else the one a start would read. */
  | { kind: 'check-config'; file: string | undefined }
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'usage-error'; message: string };

export const DAEMON_USAGE = `usage: lockerd [--config FILE]
       lockerd --check-config [FILE]

Runs the parcel locker's controller in the foreground; systemd runs it as
lockerd.service. Technicians talk to it with lockerctl (lockerctl --help).

  --config FILE          the configuration (default: $LOCKERD_CONFIG, then
                         config/default.json, the simulated demo locker)
  --check-config [FILE]  validate the configuration as a start would and start
                         nothing: exit 0, or 78 with the problems
  --help                 this text
  --version              the version

exit status: 0 stopped cleanly, 64 a bad command line, 65 the ledger or its
key cannot be used, 69 the control socket cannot be set up, 78 the
configuration cannot be used (systemd does not restart after 65 or 78).
`;

/** What the command line asks for; `--config FILE` stays in argv for resolveConfigPath. */
export function parseDaemonArgs(argv: readonly string[]): DaemonInvocation {
  // `--check-config=FILE` as `--check-config FILE`: its file is a positional below.
  const args = argv.flatMap((a) => (a.startsWith('--check-config=') ? ['--check-config', a.slice('--check-config='.length)] : [a]));
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        // Its FILE is a positional: parseArgs has no optional values.
        'check-config': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    return { kind: 'usage-error', message: wording(err as Error & { code?: string }) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help', text: DAEMON_USAGE };
  if (values.version) return { kind: 'version' };
  if (values['check-config']) {
    if (positionals.length > 1) return { kind: 'usage-error', message: `--check-config takes one file, not ${positionals.length}` };
    return { kind: 'check-config', file: positionals[0] || undefined };
  }
  if (positionals.length > 0) return { kind: 'usage-error', message: `unexpected argument "${positionals[0]!.slice(0, 80)}" (the config is given with --config FILE)` };
  return { kind: 'run' };
}

function wording(err: Error & { code?: string }): string {
  const option = /'(-[^']*)'/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option.split('=')[0]!.slice(0, 40)}`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return `${option.split(/[ =]/)[0]} needs a value, e.g. --config /etc/lockerd/config.json`;
  return err.message.split('\n')[0]!.slice(0, 200);
}
