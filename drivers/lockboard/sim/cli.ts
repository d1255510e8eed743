/**
 * The standalone lock-board simulator (`scripts/lockboard-sim.mjs`): simulated boards of one
 * family on one end of a pseudo-terminal pair, so the real daemon, with the real serialport
 * binding, can drive them; a technician can demo a locker without hardware.
 *
 * It prints one JSON object per line on stdout: `{"event":"ready",...}` once the link exists,
 * `{"event":"door"|"fire"|"port",...}` as things happen, and one `{"reply":CMD,"ok":...}` per
 * command. Commands come one per line on stdin, or on the Unix socket given with --control.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { FAMILIES, PROTOCOLS, type ProtocolName } from '../families.js';
import { loadSystemBinding, type SerialBinding } from '../serial.js';
import { SimPortLink } from './port-link.js';
import { SIM_FAMILIES } from './families.js';
import { UNLOCK_REPLIES, type UnlockReply } from './family.js';
import { LockBoardSimulator, type SimBoardOptions } from './simulator.js';
import { mulberry32 } from '../../sim/prng.js';

/** Each family's default, as the usage lists it: "kerong-cu16 16, clone-8a 24, modbus-rtu 8". */
const perFamily = (value: (p: ProtocolName) => string | number): string => PROTOCOLS.map((p) => `${p} ${value(p)}`).join(', ');

const USAGE = `usage: lockboard-sim --protocol ${PROTOCOLS.join('|')} (--link PATH | --tty PATH) [options]

  --link PATH          start socat: the master (lockerd) opens PATH, the simulator PATH.sim
  --tty PATH           use an existing serial device or pty end instead of starting socat
  --boards N           number of boards (default 1), at consecutive addresses
  --first-address A    address of the first board (default: ${perFamily((p) => FAMILIES[p].addressMin)})
  --locks N            locks per board (default: ${perFamily((p) => SIM_FAMILIES[p].defaults.locks)})
  --baud B             pacing of the replies (default: ${perFamily((p) => SIM_FAMILIES[p].defaults.baudRate)}; 0 = no pacing)
  --turnaround-ms T    time from the end of a request to the start of the reply (default 0)
  --pulse-ms P         how long a board powers a lock (default 500)
  --release-ms R       time from the pulse start to the latch reading open (default 20)
  --polarity P         one-is-closed (default) or one-is-open
  --unlock-reply R     ${UNLOCK_REPLIES.join('|')} (default: ${perFamily((p) => SIM_FAMILIES[p].defaultUnlockReply)})
                       zero-pulse: a Modbus board that answers a timed pulse 00 00 and ignores it
  --sensors            CU16 item-present sensors fitted
  --auto-close MS      doors close by themselves after MS (default 0: only when told to)
  --boards-json JSON   per-board options, e.g. '[{"address":0,"locks":16,"turnaroundMs":3}]'
  --control PATH       also accept commands on this Unix socket
  --seed N             seed for noise and corruption
  --quiet              print replies only, no door or fire events

commands (stdin or --control; ADDR is the board address on the bus, LOCK counts from 1):
  open|force ADDR LOCK     the door is pulled open without a command (forced door)
  close ADDR LOCK          the door is pushed shut
  jam ADDR LOCK [on|off]   the latch does not release when fired
  leftopen ADDR LOCK [on|off]  the door, once open, never closes by itself
  item ADDR LOCK [on|off]  item-present sensor
  silent ADDR [on|off]     the board hears and acts but never answers
  unplug ADDR [on|off]     the board is gone (no answers, no actions); plug ADDR brings it back
  corrupt ADDR [on|off|SHARE]  replies with a wrong checksum (all, none, or a share 0..1)
  unlock-reply ADDR none|ack|status|zero-pulse
  turnaround ADDR MS
  echo [on|off]            every request is echoed back (adapter without direction control)
  noise [PER_SECOND|off]   random byte bursts on the line
  autoclose MS
  port-unplug MS           (--link only) the adapter disappears for MS, then comes back
  status | fires | counters | help | quit`;

interface Args {
  protocol: ProtocolName;
  link?: string;
  tty?: string;
  boards: SimBoardOptions[];
  baudRate: number;
  autoCloseMs: number;
  control?: string;
  seed?: number;
  quiet: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === '--sensors' || a === '--quiet' || a === '--help') flags.set(a.slice(2), true);
    else {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      flags.set(a.slice(2), v);
    }
  }
  if (flags.has('help')) throw new UsageError('');
  const known = ['protocol', 'link', 'tty', 'boards', 'first-address', 'locks', 'baud', 'turnaround-ms', 'pulse-ms', 'release-ms', 'polarity', 'unlock-reply', 'sensors', 'auto-close', 'boards-json', 'control', 'seed', 'quiet'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new UsageError(`unknown option --${k}`);
  const str = (k: string): string | undefined => {
    const v = flags.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const num = (k: string, def: number, min: number, max: number): number => {
    const v = str(k);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${k} must be a number from ${min} to ${max}`);
    return n;
  };
  const protocol = str('protocol') as ProtocolName | undefined;
  if (!protocol || !PROTOCOLS.includes(protocol)) throw new UsageError(`--protocol must be one of ${PROTOCOLS.join(', ')}`);
  if (!str('link') === !str('tty')) throw new UsageError('give exactly one of --link PATH or --tty PATH');
  const count = num('boards', 1, 1, 32);
  const first = num('first-address', FAMILIES[protocol].addressMin, 0, 247);
  const polarity = str('polarity') ?? 'one-is-closed';
  if (polarity !== 'one-is-closed' && polarity !== 'one-is-open') throw new UsageError('--polarity must be one-is-closed or one-is-open');
  const unlockReply = str('unlock-reply');
  if (unlockReply !== undefined && !(UNLOCK_REPLIES as readonly string[]).includes(unlockReply)) throw new UsageError(`--unlock-reply must be one of ${UNLOCK_REPLIES.join(', ')}`);
  const common: Omit<SimBoardOptions, 'address'> = {
    locks: num('locks', SIM_FAMILIES[protocol].defaults.locks, 1, 48),
    polarity,
    turnaroundMs: num('turnaround-ms', 0, 0, 10_000),
    pulseMs: num('pulse-ms', 500, 1, 60_000),
    releaseMs: num('release-ms', 20, 0, 60_000),
    sensors: flags.get('sensors') === true,
    ...(unlockReply ? { unlockReply: unlockReply as UnlockReply } : {}),
  };
  let boards: SimBoardOptions[] = Array.from({ length: count }, (_, i) => ({ address: first + i, ...common }));
  const json = str('boards-json');
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new UsageError('--boards-json is not valid JSON');
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 32) throw new UsageError('--boards-json must be a list of 1 to 32 boards');
    boards = parsed.map((b: unknown, i) => {
      if (typeof b !== 'object' || b === null || typeof (b as { address?: unknown }).address !== 'number') throw new UsageError(`--boards-json[${i}] needs a numeric "address"`);
      return { ...common, ...(b as SimBoardOptions) };
    });
  }
  const seed = str('seed');
  return {
    protocol,
    link: str('link'),
    tty: str('tty'),
    boards,
    baudRate: num('baud', SIM_FAMILIES[protocol].defaults.baudRate, 0, 4_000_000),
    autoCloseMs: num('auto-close', 0, 0, 86_400_000),
    control: str('control'),
    ...(seed !== undefined ? { seed: Number(seed) >>> 0 } : {}),
    quiet: flags.get('quiet') === true,
  };
}


const print = (obj: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** socat with two linked pseudo-terminals; resolves once both links exist. */
async function startSocat(link: string): Promise<ChildProcess> {
  for (const p of [link, `${link}.sim`]) {
    try {
      if (lstatSync(p).isSymbolicLink()) unlinkSync(p);
    } catch {
      // not there
    }
  }
  const child = spawn('socat', [`pty,raw,echo=0,link=${link}`, `pty,raw,echo=0,link=${link}.sim`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  for (let waited = 0; waited < 5000; waited += 20) {
    if (existsSync(link) && existsSync(`${link}.sim`)) return child;
    if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}: ${stderr.trim()}`);
    const err = await Promise.race([spawnError, sleep(20).then(() => null)]);
    if (err) throw new Error(`cannot start socat (is it installed?): ${err.message}`);
  }
  child.kill('SIGKILL');
  throw new Error(`socat did not create ${link} within 5 s: ${stderr.trim()}`);
}

function onOff(word: string | undefined, def = true): boolean {
  if (word === undefined) return def;
  if (word === 'on' || word === 'true' || word === '1') return true;
  if (word === 'off' || word === 'false' || word === '0') return false;
  throw new Error(`expected on or off, not "${word}"`);
}

function int(word: string | undefined, what: string): number {
  const n = Number(word);
  if (word === undefined || !Number.isInteger(n)) throw new Error(`${what} must be a whole number`);
  return n;
}

class Runner {
  readonly sim: LockBoardSimulator;
  #binding: SerialBinding | null = null;
  #socat: ChildProcess | null = null;
  #link: SimPortLink | null = null;
  #server: Server | null = null;
  #stopping = false;
  #portUnplugged = false;

  constructor(readonly args: Args) {
    this.sim = new LockBoardSimulator({
      protocol: args.protocol, baudRate: args.baudRate, boards: args.boards, autoCloseMs: args.autoCloseMs,
      ...(args.seed !== undefined ? { random: mulberry32(args.seed) } : {}),
    });
    if (!args.quiet) {
      this.sim.on('door', (e) => print({ event: 'door', ...e }));
      this.sim.on('fire', (f) => print({ event: 'fire', address: f.address, lock: f.lock, pulseMs: f.pulseMs }));
    }
  }

  async start(): Promise<void> {
    this.#binding = await loadSystemBinding();
    await this.#connect();
    if (this.args.control) await this.#listen(this.args.control);
    print({
      event: 'ready', protocol: this.args.protocol, link: this.args.link ?? this.args.tty, baudRate: this.args.baudRate,
      addresses: this.sim.addresses, control: this.args.control ?? null,
    });
  }

  async #connect(): Promise<void> {
    let path: string;
    if (this.args.link) {
      this.#socat = await startSocat(this.args.link);
      const socat = this.#socat;
      socat.once('exit', () => {
        if (this.#socat === socat && !this.#stopping && !this.#portUnplugged) {
          print({ event: 'port', state: 'socat exited; restarting' });
          this.#socat = null;
          void this.#reconnect(200);
        }
      });
      path = `${this.args.link}.sim`;
    } else {
      path = this.args.tty!;
    }
    const port = await this.#binding!.open({ path, baudRate: this.args.baudRate || 9600, lock: false });
    this.#link = new SimPortLink(this.sim, port, (err) => {
      if (!this.#stopping && !this.#portUnplugged) print({ event: 'port', state: 'error', error: err instanceof Error ? err.message : String(err) });
    });
  }

  async #reconnect(afterMs: number): Promise<void> {
    await this.#link?.close();
    this.#link = null;
    await sleep(afterMs);
    if (this.#stopping) return;
    try {
      await this.#connect();
      print({ event: 'port', state: 'up' });
    } catch (err) {
      print({ event: 'port', state: 'error', error: err instanceof Error ? err.message : String(err) });
    }
  }

  async #unplugPort(ms: number): Promise<void> {
    if (!this.args.link) throw new Error('port-unplug needs --link (the simulator owns socat)');
    this.#portUnplugged = true;
    const socat = this.#socat;
    this.#socat = null;
    await this.#link?.close();
    this.#link = null;
    if (socat && socat.exitCode === null) {
      const exited = new Promise((r) => socat.once('exit', r));
      socat.kill('SIGTERM');
      await exited;
    }
    print({ event: 'port', state: 'unplugged', forMs: ms });
    setTimeout(() => {
      this.#portUnplugged = false;
      if (this.#stopping) return;
      void this.#reconnect(0);
    }, ms).unref();
  }

  async #listen(path: string): Promise<void> {
    try {
      if (lstatSync(path).isSocket()) unlinkSync(path);
    } catch {
      // not there
    }
    const server = createServer((socket: Socket) => {
      const rl = createInterface({ input: socket });
      rl.on('line', (line) => {
        void this.command(line).then((reply) => {
          if (reply && !socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
        });
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    this.#server = server;
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.sim.close();
    await this.#link?.close();
    this.#server?.close();
    if (this.#socat && this.#socat.exitCode === null) this.#socat.kill('SIGTERM');
  }

  killSocatNow(): void {
    if (this.#socat && this.#socat.exitCode === null) this.#socat.kill('SIGTERM');
  }

  /** Runs one command line; returns the reply object (also printed by the caller for stdin). */
  async command(line: string): Promise<Record<string, unknown> | null> {
    const words = line.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) return null;
    const [cmd, ...rest] = words as [string, ...string[]];
    try {
      const result = await this.#run(cmd.toLowerCase(), rest);
      return { reply: cmd, ok: true, ...(result !== undefined ? { result } : {}) };
    } catch (err) {
      return { reply: cmd, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  async #run(cmd: string, a: string[]): Promise<unknown> {
    const sim = this.sim;
    const addr = (): number => int(a[0], 'ADDR');
    const lock = (): number => int(a[1], 'LOCK');
    switch (cmd) {
      case 'open':
      case 'force':
        return { changed: sim.forceDoor(addr(), lock()) };
      case 'close':
        return { changed: sim.closeDoor(addr(), lock()) };
      case 'jam':
        return sim.setJammed(addr(), lock(), onOff(a[2]));
      case 'leftopen':
        return sim.setLeftOpen(addr(), lock(), onOff(a[2]));
      case 'item':
        return sim.setItem(addr(), lock(), onOff(a[2]));
      case 'silent':
        return sim.setBoardFault(addr(), 'silent', onOff(a[1]));
      case 'unplug':
        return sim.setBoardFault(addr(), 'unplugged', onOff(a[1]));
      case 'plug':
        return sim.setBoardFault(addr(), 'unplugged', false);
      case 'corrupt': {
        const v = a[1];
        const share = v !== undefined && /^[0-9.]+$/.test(v) ? Number(v) : onOff(v);
        return sim.setBoardFault(addr(), 'corrupt', share);
      }
      case 'unlock-reply': {
        const r = a[1];
        if (!(UNLOCK_REPLIES as readonly (string | undefined)[]).includes(r)) throw new Error(`unlock-reply takes ${UNLOCK_REPLIES.join(', ')}`);
        return sim.setUnlockReply(addr(), r as UnlockReply);
      }
      case 'turnaround':
        return sim.setTurnaround(addr(), int(a[1], 'MS'));
      case 'echo':
        return sim.setEcho(onOff(a[0]));
      case 'noise': {
        const v = a[0];
        return sim.setNoise(v === undefined ? 20 : v === 'off' ? 0 : Number(v) || 0);
      }
      case 'autoclose':
        return sim.setAutoClose(int(a[0], 'MS'));
      case 'port-unplug':
        await this.#unplugPort(int(a[0], 'MS'));
        return undefined;
      case 'status':
        return { protocol: sim.protocol, echo: sim.echo, noise: sim.noise, boards: sim.snapshot() };
      case 'fires':
        return sim.fires.map((f) => ({ address: f.address, lock: f.lock, at: Math.round(f.at * 1000) / 1000, pulseMs: f.pulseMs }));
      case 'counters':
        return sim.counters;
      case 'help':
        return USAGE.split('\n');
      case 'quit':
      case 'exit':
        setImmediate(() => void shutdown(0));
        return undefined;
      default:
        throw new Error(`unknown command "${cmd}" (try help)`);
    }
  }
}

let runner: Runner | null = null;

async function shutdown(code: number): Promise<void> {
  await runner?.stop().catch(() => {});
  process.exit(code);
}

export async function main(argv: string[]): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message ? `lockboard-sim: ${err.message}\n\n` : ''}${USAGE}\n`);
      process.exit(err.message ? 64 : 0);
    }
    throw err;
  }
  runner = new Runner(args);
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));
  process.on('exit', () => runner?.killSocatNow());
  try {
    await runner.start();
  } catch (err) {
    process.stderr.write(`lockboard-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    await runner.stop().catch(() => {});
    process.exit(1);
  }
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    void runner!.command(line).then((reply) => {
      if (reply) print(reply);
    });
  });
}
