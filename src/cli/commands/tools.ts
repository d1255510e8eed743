import { resolve } from 'node:path';
import { ControlClientError } from '../../control/client.js';
import { expectArgs, UsageError, type CliCommand } from '../command.js';

interface ConfigSummary { file: string; kioskId: string; compartments: number; boards: number; buses: number; units: number; couriers: number; staff: number }

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Tools that need no daemon: checking a config, the shell completion. */
export const toolCommands: CliCommand[] = [
  {
    words: ['config', 'check'],
    usage: 'config check FILE',
    group: 'tools',
    summary: "validate a lockerd config file as the daemon does at start, starting nothing",
    description:
      "Reads FILE and runs lockerd's own validation on it (the schema, then the cross-checks: boards, locks, units, PINs, holds), without starting anything or contacting the daemon. Prints what it found when the file is usable, or every problem, one line each, and exits 78 (EX_CONFIG). Courier and staff PINs never appear in the output.",
    examples: ['config check /etc/lockerd/config.json'],
    local: async (args) => {
      expectArgs(args, 1, 'config check FILE');
      // The loader (ajv, the schema) is imported here only: no other command pays for it.
      const { loadConfig, ConfigError } = await import('../../config/load.js');
      const file = args[0]!;
      try {
        const c = loadConfig(file);
        return {
          file: resolve(file),
          kioskId: c.kioskId,
          compartments: c.compartments.length,
          boards: c.buses.reduce((n, b) => n + b.boards.length, 0),
          buses: c.buses.length,
          units: c.units.length,
          couriers: c.couriers.length,
          staff: c.staff.length,
        } satisfies ConfigSummary;
      } catch (err) {
        if (err instanceof ConfigError) throw new ControlClientError(err.message, 'config');
        throw err;
      }
    },
    format: (result) => {
      const r = result as ConfigSummary;
      return `${r.file}: config OK (locker ${r.kioskId}: ${plural(r.compartments, 'compartment')} on ${plural(r.boards, 'board')}, ${plural(r.buses, 'bus', 'buses')}; ${plural(r.units, 'unit')}, ${plural(r.couriers, 'courier')}, ${plural(r.staff, 'staff member')})\n`;
    },
  },
  {
    words: ['completion', 'bash'],
    usage: 'completion bash',
    group: 'tools',
    summary: 'a bash completion script for lockerctl: source <(lockerctl completion bash)',
    description:
      "Prints a bash completion script for lockerctl's commands, subcommands, options and their fixed values. Load it in the current shell with source <(lockerctl completion bash); the installer puts it in /usr/share/bash-completion/completions/lockerctl so every login shell has it.",
    examples: ['completion bash > ~/.local/share/bash-completion/completions/lockerctl'],
    local: async (args, flags) => {
      expectArgs(args, 0, 'completion bash');
      if (flags['--json'] === true) throw new UsageError('completion bash prints a shell script; drop --json');
      const [{ COMMANDS }, { bashCompletion }] = await Promise.all([import('./index.js'), import('../completion.js')]);
      return bashCompletion(COMMANDS);
    },
    format: (result) => result as string,
  },
];
