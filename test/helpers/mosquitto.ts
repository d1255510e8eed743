import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const CANDIDATES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'];

export function mosquittoPath(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

/** Tests that need a broker run under CI always; elsewhere they skip when Mosquitto is missing. */
export function brokerAvailable(): boolean {
  if (mosquittoPath()) return true;
  if (process.env.CI) throw new Error('CI=true but mosquitto is not installed: .ci/run must apt-get install mosquitto');
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TlsFiles {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A throwaway CA, a server certificate for 127.0.0.1/localhost and a client certificate (openssl). */
export function makeCertificates(dir: string): TlsFiles {
  return makeCertificatesFor(dir, 'demo-locker');
}

/** Another client certificate from the CA made by makeCertificates, with the given CN. */
export function makeClientCertificate(dir: string, cn: string): { cert: string; key: string } {
  const f = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', f(`${cn}.key`), '-out', f(`${cn}.csr`));
  ssl('x509', '-req', '-in', f(`${cn}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-out', f(`${cn}.crt`));
  return { cert: f(`${cn}.crt`), key: f(`${cn}.key`) };
}

function makeCertificatesFor(dir: string, clientCn: string): TlsFiles {
  mkdirSync(dir, { recursive: true });
  const f = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=lockerd test CA', '-keyout', f('ca.key'), '-out', f('ca.crt'));
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('server.ext'), '-out', f('server.crt'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${clientCn}`, '-keyout', f('client.key'), '-out', f('client.csr'));
  ssl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-out', f('client.crt'));
  return { ca: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key'), clientCert: f('client.crt'), clientKey: f('client.key') };
}

export interface BrokerOptions {
  dir: string;
  port?: number;
  /** Keep sessions and queued messages across a restart (persistence file in `dir`). */
  persistence?: boolean;
  /**
   * With persistence: save every this many seconds instead of after every change, as a broker
   * tuned for throughput does. A SIGKILL then loses what it acknowledged since the last save.
   */
  autosaveSeconds?: number;
  /** Adds a TLS listener that requires a client certificate. */
  tls?: TlsFiles;
  /** More lines for the TLS listener (e.g. use_identity_as_username true). */
  tlsExtra?: string[];
  /** false: every client must log in (with `extra` naming a password_file). Default true. */
  anonymous?: boolean;
  /** More mosquitto.conf lines (password_file, acl_file, ...). */
  extra?: string[];
}

/** A real Mosquitto on loopback with a generated config; can be killed and started again on the same ports. */
export class Broker {
  readonly port: number;
  tlsPort: number | undefined;
  #child: ChildProcess | undefined;
  log = '';

  private constructor(private readonly o: BrokerOptions, port: number) {
    this.port = port;
  }

  static async start(o: BrokerOptions): Promise<Broker> {
    const b = new Broker(o, o.port ?? (await freePort()));
    if (o.tls) b.tlsPort = await freePort();
    await b.start();
    return b;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get tlsUrl(): string {
    return `mqtts://127.0.0.1:${this.tlsPort}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null;
  }

  async start(): Promise<void> {
    const conf = join(this.o.dir, 'mosquitto.conf');
    const lines = [
      // Started as root, mosquitto drops to its own user and cannot read our 0700 temp directory.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'per_listener_settings false',
      `allow_anonymous ${this.o.anonymous ?? true}`,
      ...(this.o.extra ?? []),
      `listener ${this.port} 127.0.0.1`,
      'max_inflight_messages 0',
      'max_queued_messages 0',
      // autosave_on_changes with an interval of 1: the broker saves after every change, so a SIGKILL
      // loses at most what it had not yet processed (as close to a durable broker as Mosquitto gets).
      this.o.persistence
        ? `persistence true\npersistence_location ${this.o.dir}/\n${this.o.autosaveSeconds ? `autosave_on_changes false\nautosave_interval ${this.o.autosaveSeconds}` : 'autosave_on_changes true\nautosave_interval 1'}`
        : 'persistence false',
    ];
    if (this.o.tls) {
      lines.push(`listener ${this.tlsPort} 127.0.0.1`, `cafile ${this.o.tls.ca}`, `certfile ${this.o.tls.serverCert}`, `keyfile ${this.o.tls.serverKey}`, 'require_certificate true', ...(this.o.tlsExtra ?? []));
    }
    writeFileSync(conf, `${lines.join('\n')}\n`);
    const child = spawn(mosquittoPath()!, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.#child = child;
    const deadline = Date.now() + 5000;
    while (!(await this.#answers())) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}):\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${this.port}:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  #answers(): Promise<boolean> {
    return new Promise((resolve) => {
      import('node:net').then(({ createConnection }) => {
        const s = createConnection(this.port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
    });
  }

  /** Stops the broker: SIGKILL for a crash, SIGTERM for a clean stop (which saves persistence). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}
