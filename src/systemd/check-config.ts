/**
 * `lockerd --check-config [FILE]`: the daemon's own validation (loadConfig) without starting
 * anything: no ledger, no socket, no device is opened. systemd runs it as `ExecStartPre=`, so a
 * bad file stops the start with the reason in the journal and exit 78, which the unit's
 * RestartPreventExitStatus= keeps from restarting in a loop.
 */
import { ConfigError, loadConfig } from '../config/load.js';
import { resolveConfigPath } from '../config/paths.js';
import type { LockerdConfig } from '../config/types.js';

export const CHECK_CONFIG_FLAG = '--check-config';
const EXIT_OK = 0;
const EXIT_CONFIG = 78; // EX_CONFIG, as the daemon exits on a bad config

/**
 * Whether argv asks for the check, and which file: `--check-config FILE`, `--check-config=FILE`,
 * or `--check-config` alone (then --config / $LOCKERD_CONFIG / the built-in one, as the daemon).
 */
export function checkConfigRequest(argv: readonly string[]): { requested: false } | { requested: true; file: string | undefined } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === CHECK_CONFIG_FLAG) {
      const next = argv[i + 1];
      return { requested: true, file: next !== undefined && next !== '' && !next.startsWith('-') ? next : undefined };
    }
    if (arg.startsWith(`${CHECK_CONFIG_FLAG}=`)) {
      const file = arg.slice(CHECK_CONFIG_FLAG.length + 1);
      return { requested: true, file: file === '' ? undefined : file };
    }
  }
  return { requested: false };
}

/** One line a technician can read: what the file describes, nothing secret (no URL, no PIN). */
export function configSummary(path: string, c: LockerdConfig): string {
  const boards = c.buses.reduce((n, b) => n + b.boards.length, 0);
  const s = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return `config OK: ${path}: locker ${c.kioskId}, ${s(c.compartments.length, 'compartment', 'compartments')} on ${s(boards, 'lock board', 'lock boards')} (${s(c.buses.length, 'bus', 'buses')}), upstream ${c.mqtt.enabled ? 'enabled' : 'disabled'}, screen ${c.screen.enabled ? 'enabled' : 'disabled'}`;
}

export interface CheckConfigResult {
  code: number;
  /** For stdout (the verdict) or stderr (the problems). */
  stdout: string;
  stderr: string;
}

export function checkConfig(argv: readonly string[], env: NodeJS.ProcessEnv, load: (path: string) => LockerdConfig = loadConfig): CheckConfigResult {
  const request = checkConfigRequest(argv);
  try {
    const path = request.requested && request.file !== undefined ? request.file : resolveConfigPath(argv, env);
    return { code: EXIT_OK, stdout: `${configSummary(path, load(path))}\n`, stderr: '' };
  } catch (err) {
    if (err instanceof ConfigError) return { code: EXIT_CONFIG, stdout: '', stderr: `lockerd: config check failed:\n${err.message}\n` };
    throw err;
  }
}
