/**
 * `lockerctl completion bash`: the script is loaded in a real bash, its function called with
 * COMP_WORDS/COMP_CWORD as bash's completion would, and the candidates checked.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/lockerctl.js';

let script = '';

async function completion(): Promise<string> {
  if (script) return script;
  let out = '';
  expect(await run(['completion', 'bash'], (s) => (out += s), () => {})).toBe(0);
  script = out;
  return out;
}

/** The candidates bash would offer for the words typed, the last one being completed. */
async function candidates(...words: string[]): Promise<string[]> {
  const words_ = ['lockerctl', ...words].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const program = `${await completion()}\nCOMP_WORDS=(${words_}); COMP_CWORD=${words.length}; _lockerctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

describe('lockerctl bash completion', () => {
  it('completes commands, subcommands and fixed arguments', async () => {
    expect(await candidates('si')).toEqual(['sim']);
    expect(await candidates('st')).toEqual(['status', 'storage']);
    expect(await candidates('sim', '')).toEqual(['climate', 'door', 'keys', 'notices', 'scan', 'sign']);
    expect(await candidates('sim', 'door', 'A01', '')).toEqual(['close', 'open']);
    expect(await candidates('compartment', 'service', 'A02', 'o')).toEqual(['out']);
    expect(await candidates('help', 'thr')).toEqual(['throttle']);
    expect(await candidates('completion', '')).toEqual(['bash']);
    // Options and their values between the words do not count as words.
    expect(await candidates('--json', '--socket', '/run/x.sock', 'ledger', '')).toEqual(['backup']);
  });

  it("completes a command's own options and the global ones, and an option's fixed values", async () => {
    expect(await candidates('parcels', '--')).toEqual(['--config', '--flagged', '--help', '--json', '--limit', '--socket', '--state', '--version']);
    expect(await candidates('parcels', 'show', '--')).toEqual(['--config', '--help', '--json', '--socket', '--version']);
    expect(await candidates('outbox', '--unsent', '--re')).toEqual(['--reveal-codes']);
    expect(await candidates('export', '--format', '')).toEqual(['csv', 'json']);
    expect(await candidates('lock', 'open', 'A01', '--reason', '')).toEqual([]);
  });

  it('is plain bash that registers itself for lockerctl', async () => {
    const text = await completion();
    expect(text).toContain('complete -F _lockerctl lockerctl');
    expect(text).toContain('source <(lockerctl completion bash)');
    expect(execFileSync('bash', ['-n', '-c', text], { encoding: 'utf8' })).toBe('');
  });

  // Under CI=true shellcheck must be there (.ci/run installs it); elsewhere the test says it is missing.
  const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
  it.runIf(shellcheck || process.env.CI === 'true')('is shellcheck clean', async () => {
    const r = spawnSync('shellcheck', ['--shell=bash', '-'], { input: await completion(), encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
