/**
 * `lockerd --check-config [FILE]`: the daemon's own validation (loadConfig) without starting
 * anything: no ledger, no socket, no device is opened. systemd runs it as `ExecStartPre=`, so a
 * bad file stops the start with the reason in the journal and exit 78, which the unit's
 * RestartPreventExitStatus= keeps from restarting in a loop.
 */
import { ConfigError, loadConfig } from '../config/load.js';
import { resolveConfigPath } from '../config/paths.js';
import type { LockerdConfig } from '../config/types.js';

const EXIT_OK = 0;
const EXIT_CONFIG = 78; // EX_CONFIG, as the daemon exits on a bad config

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

/** Checks `file`, or without one the file a start would read (--config in argv, $LOCKERD_CONFIG, the demo's). */
export function checkConfig(file: string | undefined, argv: readonly string[], env: NodeJS.ProcessEnv, load: (path: string) => LockerdConfig = loadConfig): CheckConfigResult {
  try {
    const path = file ?? resolveConfigPath(argv, env);
    return { code: EXIT_OK, stdout: `${configSummary(path, load(path))}\n`, stderr: '' };
  } catch (err) {
    if (err instanceof ConfigError) return { code: EXIT_CONFIG, stdout: '', stderr: `lockerd: config check failed:\n${err.message}\n` };
    throw err;
  }
}
