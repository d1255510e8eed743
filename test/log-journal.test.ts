/**
 * journald priorities: with JOURNAL_STREAM naming the stream the log goes to, every line starts
 * with its syslog priority and is one JSON object after it. The stream is a real file here, and
 * JOURNAL_STREAM carries its device and inode, exactly what systemd puts there for its pipe.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, isJournalStream, logFormat, syslogPriority, withPriority } from '../src/log.js';
import { DAEMON, assertBuilt } from './helpers/daemon.js';
import { ROOT, tempDir, testConfigJson, writeConfig } from './helpers/fixtures.js';
import { waitFor } from './helpers/socat.js';

const streamOf = (fd: number): string => {
  const st = fstatSync(fd, { bigint: true });
  return `${st.dev}:${st.ino}`;
};
const PREFIXED = /^<([0-7])>(\{.*\})$/;

describe('log lines for journald', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  function logTo(name: string, journalStream: (fd: number) => string | undefined) {
    const file = join(dir, name);
    const fd = openSync(file, 'w');
    const log = createLogger({ level: 'trace', fd, env: { JOURNAL_STREAM: journalStream(fd) } });
    return { log, lines: () => readFileSync(file, 'utf8').split('\n').filter((l) => l !== ''), close: () => closeSync(fd) };
  }

  it('prefixes each line with its syslog priority when JOURNAL_STREAM is this stream, and keeps it JSON', () => {
    const out = logTo('journal.log', streamOf);
    out.log.trace('t');
    out.log.debug('d');
    out.log.info('i');
    out.log.warn('w');
    out.log.error('e');
    out.log.fatal('f');
    out.close();
    const parsed = out.lines().map((l) => {
      const m = PREFIXED.exec(l);
      expect(m, l).not.toBeNull();
      return [Number(m![1]), (JSON.parse(m![2]!) as { msg: string }).msg];
    });
    expect(parsed).toEqual([[7, 't'], [7, 'd'], [6, 'i'], [4, 'w'], [3, 'e'], [2, 'f']]);
  });

  it('still censors credentials before the prefix is added', () => {
    const out = logTo('journal.log', streamOf);
    out.log.warn({ pin: '4321', attempt: { code: '87654321' } }, 'a refused entry');
    out.close();
    const [line] = out.lines();
    expect(line).toMatch(/^<4>\{/);
    expect(line).not.toContain('4321');
    expect(JSON.parse(line!.slice(3))).toMatchObject({ pin: '[redacted]', attempt: { code: '[redacted]' }, msg: 'a refused entry' });
  });

  it('writes plain JSON when JOURNAL_STREAM names another stream (a redirected child inherits the variable)', () => {
    const elsewhere = openSync(join(dir, 'other'), 'w');
    const out = logTo('plain.log', () => streamOf(elsewhere));
    out.log.warn('w');
    out.close();
    closeSync(elsewhere);
    expect(out.lines()).toHaveLength(1);
    expect(JSON.parse(out.lines()[0]!)).toMatchObject({ level: 40, msg: 'w' });
  });

  it('never pretty-prints into the journal; plain JSON when unset or malformed', () => {
    const fd = openSync(join(dir, 'f'), 'w');
    try {
      expect(logFormat({ level: 'info', fd, pretty: true, env: { JOURNAL_STREAM: streamOf(fd) } })).toBe('journal');
      expect(logFormat({ level: 'info', fd, env: {} })).toBe('json');
      for (const bad of ['', '12', 'a:b', `${streamOf(fd)}:1`, ' 1:2']) expect(isJournalStream(bad, fd)).toBe(false);
      expect(isJournalStream(streamOf(fd), 9999)).toBe(false); // not an open descriptor
    } finally {
      closeSync(fd);
    }
  });

  it('maps pino levels to syslog priorities, and an unknown line to info', () => {
    expect([10, 20, 30, 40, 50, 60].map(syslogPriority)).toEqual([7, 7, 6, 4, 3, 2]);
    expect(withPriority('not json\n')).toBe('<6>not json\n');
  });
});

describe('the built daemon writing to journald', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  /** Runs lockerd with stdout and stderr on files, JOURNAL_STREAM naming the one given. */
  function run(args: string[], extraEnv: NodeJS.ProcessEnv, journal: 'stdout' | 'stderr') {
    assertBuilt();
    const outFile = join(dir, 'stdout');
    const errFile = join(dir, 'stderr');
    const out = openSync(outFile, 'w');
    const err = openSync(errFile, 'w');
    const child = spawn(process.execPath, [DAEMON, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...extraEnv, JOURNAL_STREAM: streamOf(journal === 'stdout' ? out : err) },
      stdio: ['ignore', out, err],
    });
    closeSync(out);
    closeSync(err);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, exited, stdout: () => readFileSync(outFile, 'utf8'), stderr: () => readFileSync(errFile, 'utf8') };
  }

  it('gives every log line its priority: info for the start, err for a systemd socket it cannot reach', async () => {
    const configPath = writeConfig(dir, testConfigJson(dir));
    const d = run(['--config', configPath], { NOTIFY_SOCKET: join(dir, 'nobody-listens.sock') }, 'stdout');
    try {
      await waitFor(() => d.stdout().includes('"msg":"lockerd ready"'), 20_000, 'lockerd ready');
    } finally {
      d.child.kill('SIGTERM');
    }
    expect(await d.exited).toBe(0);
    const lines = d.stdout().split('\n').filter((l) => l !== '');
    for (const l of lines) expect(l, l).toMatch(PREFIXED);
    const byMsg = new Map(lines.map((l) => [(JSON.parse(l.slice(3)) as { msg: string }).msg, l.slice(0, 3)]));
    expect(byMsg.get('lockerd starting')).toBe('<6>');
    expect(byMsg.get('lockerd ready')).toBe('<6>');
    expect(byMsg.get('cannot send a message to systemd (NOTIFY_SOCKET)')).toBe('<3>');
  }, 30_000);

  it('marks each line of a refused configuration as an error on stderr', async () => {
    const configPath = writeConfig(dir, '{"kioskId": 5}');
    const d = run(['--config', configPath], {}, 'stderr');
    expect(await d.exited).toBe(78);
    const lines = d.stderr().split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines[0]).toBe('<3>lockerd: cannot use the configuration, nothing was started:');
    for (const l of lines) expect(l).toMatch(/^<3>/);
  });
});
