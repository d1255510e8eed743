/**
 * Fake libgpiod command-line tools (gpioget, gpioset, gpiomon, gpiodetect) written into a temp
 * dir, speaking either the v1.6 or the v2 argument syntax and refusing the other. Line levels
 * live in files (`state/lines/<offset>`); a line held by a running gpioset or gpiomon is marked
 * in `state/held/<offset>` and cannot be requested by another process (EBUSY), as with the real
 * character device. Every invocation is appended to `state/calls.log` as JSON.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = String.raw`
const fs = require('fs');
const path = require('path');
const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
const state = path.join(__dirname, 'state');
const version = Number(fs.readFileSync(path.join(state, 'version'), 'utf8'));
fs.appendFileSync(path.join(state, 'calls.log'), JSON.stringify({ tool, args, pid: process.pid }) + '\n');
const die = (msg) => { process.stderr.write(tool + ': ' + msg + '\n'); process.exit(1); };
const CHIPS = { gpiochip0: 58, gpiochip1: 8 };

if (args[0] === '--version' || args[0] === '-v') {
  console.log(tool + ' (libgpiod) ' + (version === 1 ? 'v1.6.3' : 'v2.1.2'));
  process.exit(0);
}
if (tool === 'gpiodetect') {
  console.log('gpiochip0 [pinctrl-bcm2711] (58 lines)');
  console.log('gpiochip1 [raspberrypi-exp-gpio] (8 lines)');
  process.exit(0);
}

// Option grammar per tool and version: name -> takes a value.
const OPTS = version === 1
  ? { gpioget: { '-l': 0, '-B': 1 }, gpioset: { '-l': 0, '-B': 1, '-D': 1, '-m': 1, '-s': 1, '-u': 1 }, gpiomon: { '-l': 0, '-B': 1, '-n': 1, '-s': 0, '-r': 0, '-f': 0, '-b': 0, '-F': 1 } }
  : { gpioget: { '-l': 0, '-b': 1, '-c': 1, '-a': 0, '--numeric': 0 }, gpioset: { '-l': 0, '-b': 1, '-c': 1, '-d': 1, '-p': 1, '-t': 1 }, gpiomon: { '-l': 0, '-b': 1, '-c': 1, '-e': 1, '-p': 1, '-F': 1, '-n': 1, '-q': 0 } };
const opts = {};
const pos = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a.startsWith('-')) {
    if (!(a in OPTS[tool])) die('unrecognized option ' + a);
    opts[a] = OPTS[tool][a] ? args[++i] : true;
    if (opts[a] === undefined) die('option ' + a + ' needs a value');
  } else pos.push(a);
}
const biasFlag = version === 1 ? '-B' : '-b';
const biases = version === 1 ? ['as-is', 'disable', 'pull-up', 'pull-down'] : ['pull-up', 'pull-down', 'disabled'];
if (opts[biasFlag] !== undefined && !biases.includes(opts[biasFlag])) die('invalid bias: ' + opts[biasFlag]);
let chip;
if (version === 1) chip = pos.shift();
else {
  chip = opts['-c'];
  if (!chip) die('lines must be given with -c <chip> in this test');
}
if (!(chip in CHIPS)) die('cannot find GPIO chip ' + chip);
if (pos.length === 0) die('at least one GPIO line offset must be specified');

const lineFile = (n) => path.join(state, 'lines', String(n));
const heldFile = (n) => path.join(state, 'held', String(n));
const level = (n) => (fs.existsSync(lineFile(n)) ? fs.readFileSync(lineFile(n), 'utf8').trim() === '1' : false);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const busy = (n) => fs.existsSync(heldFile(n)) && alive(Number(fs.readFileSync(heldFile(n), 'utf8')));
const offsetOf = (s) => {
  if (!/^\d+$/.test(s)) die('invalid line offset: ' + s);
  const n = Number(s);
  if (n >= CHIPS[chip]) die('offset ' + n + ' out of range on chip ' + chip);
  if (busy(n)) die('error requesting GPIO lines: Device or resource busy');
  return n;
};
const hold = (ns) => {
  for (const n of ns) fs.writeFileSync(heldFile(n), String(process.pid));
  const release = () => { for (const n of ns) { try { if (fs.readFileSync(heldFile(n), 'utf8') === String(process.pid)) fs.unlinkSync(heldFile(n)); } catch {} } };
  process.on('exit', release);
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
};

if (tool === 'gpioget') {
  if (version === 2 && !opts['--numeric']) die('this test always expects --numeric');
  const ns = pos.map(offsetOf);
  console.log(ns.map((n) => (level(n) !== Boolean(opts['-l']) ? '1' : '0')).join(' '));
  process.exit(0);
}

if (tool === 'gpioset') {
  const pairs = pos.map((p) => {
    const m = /^(\d+)=([01])$/.exec(p);
    if (!m) die('invalid offset<->value mapping: ' + p);
    return [offsetOf(m[1]), m[2] === '1'];
  });
  if (version === 1 && !['wait', 'signal', 'exit', 'time', undefined].includes(opts['-m'])) die('invalid mode: ' + opts['-m']);
  hold(pairs.map(([n]) => n));
  for (const [n, v] of pairs) fs.writeFileSync(lineFile(n), (v !== Boolean(opts['-l'])) ? '1' : '0');
  const mode = version === 1 ? (opts['-m'] || 'exit') : 'hold';
  if (mode === 'exit') process.exit(0);
  if (mode === 'wait') {
    process.stdin.on('data', () => process.exit(0));
    process.stdin.on('end', () => process.exit(0));
  } else setInterval(() => {}, 1 << 30);
  return;
}

if (tool === 'gpiomon') {
  if (version === 1 && !opts['-b']) die('this test expects -b (line-buffered) in v1: stdout is a pipe');
  if (version === 2 && opts['-p'] !== undefined && !/^\d+(ms|us|s)?$/.test(opts['-p'])) die('invalid period: ' + opts['-p']);
  const fmt = opts['-F'] || (version === 1 ? 'event: %e offset: %o' : '%S %E %o');
  const ns = pos.map(offsetOf);
  hold(ns);
  const last = new Map(ns.map((n) => [n, level(n)]));
  fs.writeFileSync(path.join(state, 'mon-ready-' + process.pid), '');
  setInterval(() => {
    for (const n of ns) {
      const l = level(n);
      if (l === last.get(n)) continue;
      last.set(n, l);
      const e = l ? '1' : version === 1 ? '0' : '2';
      process.stdout.write(fmt.replace('%e', e).replace('%o', String(n)) + '\n');
    }
  }, 3);
}
`;

export class FakeGpiod {
  readonly state: string;

  constructor(
    readonly dir: string,
    version: 1 | 2,
  ) {
    this.state = join(dir, 'state');
    mkdirSync(join(this.state, 'lines'), { recursive: true });
    mkdirSync(join(this.state, 'held'), { recursive: true });
    writeFileSync(join(this.state, 'version'), String(version));
    writeFileSync(join(this.state, 'calls.log'), '');
    for (const tool of ['gpioget', 'gpioset', 'gpiomon', 'gpiodetect']) {
      const p = join(dir, tool);
      writeFileSync(p, `#!${process.execPath}\n${SCRIPT}`);
      chmodSync(p, 0o755);
    }
  }

  setLevel(line: number, level: boolean): void {
    writeFileSync(join(this.state, 'lines', String(line)), level ? '1' : '0');
  }

  level(line: number): boolean {
    const p = join(this.state, 'lines', String(line));
    return existsSync(p) && readFileSync(p, 'utf8').trim() === '1';
  }

  calls(tool?: string): { tool: string; args: string[]; pid: number }[] {
    return readFileSync(join(this.state, 'calls.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { tool: string; args: string[]; pid: number })
      .filter((c) => tool === undefined || c.tool === tool);
  }

  /** Processes started by the fake tools that are still running. */
  alive(): number[] {
    return this.calls()
      .map((c) => c.pid)
      .filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
  }
}
