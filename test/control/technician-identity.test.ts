/**
 * The Unix user behind each control-socket request, as the kernel saw it connect (SO_PEERCRED
 * through native/peercred), is the actor of every audit row a technician's command writes:
 * `technician:<user>`. Through the real socket of the real app on the simulated locker.
 */
import { spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { request } from '../../src/control/client.js';
import { kernelPeerIdentity, PEERCRED_ADDON, technicianActor, userNameOf, type PeerIdentity } from '../../src/control/peer.js';
import { technicianIdentityCheck } from '../../src/control/selftest.js';
import { ControlServer, type CommandHandler } from '../../src/control/server.js';
import { captureLogger, ROOT, tempDir, testConfig } from '../helpers/fixtures.js';

const ME = `technician:${userInfo().username}`;

describe('the actor of a control request', () => {
  it('is the user name of the uid in /etc/passwd, else the uid, else uid-unknown', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\nanna:x:1001:1001::/home/anna:/bin/bash\nbad name:x:1002:1002::/:/bin/sh\n';
    expect(userNameOf(1001, passwd)).toBe('anna');
    expect(userNameOf(1002, passwd)).toBeNull(); // not fit for an audit row
    expect(technicianActor({ pid: 1, uid: 1001, gid: 1001 }, () => passwd)).toBe('technician:anna');
    expect(technicianActor({ pid: 1, uid: 4242, gid: 4242 }, () => passwd)).toBe('technician:uid-4242');
    expect(technicianActor({ pid: 1, uid: 1002, gid: 1002 }, () => passwd)).toBe('technician:uid-1002');
    expect(technicianActor({ pid: 1, uid: 0, gid: 0 }, () => { throw new Error('EACCES'); })).toBe('technician:uid-0');
    expect(technicianActor(null)).toBe('technician:uid-unknown');
  });

  it('comes from the kernel: the addon is built and names whoever connects', async () => {
    const support = kernelPeerIdentity.support();
    expect(support, `build ${PEERCRED_ADDON}: npm run build:native`).toEqual({ available: true });
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'ctl.sock');
    const whoami: CommandHandler = (_args, { actor }) => actor;
    const server = new ControlServer(path, new Map([['whoami', whoami]]), captureLogger().log);
    await server.start();
    try {
      expect(await request(path, 'whoami')).toBe(ME);
      if (process.getuid?.() === 0) {
        // Another user's lockerctl: the daemon's own user says nothing about who asked.
        chmodSync(dir, 0o755);
        chmodSync(path, 0o666);
        const script = `const s=require('net').createConnection(${JSON.stringify(path)});s.on('connect',()=>s.write('{"id":1,"command":"whoami"}\\n'));s.on('data',(d)=>{process.stdout.write(d);s.end();});`;
        const child = spawn(process.execPath, ['-e', script], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        await new Promise((resolve) => child.once('exit', resolve));
        expect(JSON.parse(out)).toEqual({ id: 1, ok: true, result: technicianActor({ pid: 0, uid: 65534, gid: 65534 }) });
      }
    } finally {
      await server.stop();
      cleanup();
    }
  });

  it('without the addon, the socket still serves as technician:uid-unknown, with an error at start and a selftest warning', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'ctl.sock');
    const missing: PeerIdentity = { support: () => ({ available: false, reason: `${join(ROOT, PEERCRED_ADDON)} is missing` }), credentials: () => null };
    const logs = captureLogger();
    const whoami: CommandHandler = (_args, { actor }) => actor;
    const server = new ControlServer(path, new Map([['whoami', whoami]]), logs.log, undefined, missing);
    await server.start();
    try {
      expect(await request(path, 'whoami')).toBe('technician:uid-unknown');
      const errors = logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 50);
      expect(errors.map((e) => e.msg)).toEqual([expect.stringMatching(/^cannot tell which Unix user sends control requests: .*technician:uid-unknown; fix: npm run build:native/)]);
    } finally {
      await server.stop();
      cleanup();
    }
    const check = technicianIdentityCheck(missing.support());
    expect(check).toMatchObject({ check: 'technician ids', verdict: 'warn' });
    expect(check.detail).toContain('is missing');
    expect(check.detail).toContain('npm run build:native');
    expect(technicianIdentityCheck({ available: true }).verdict).toBe('ok');
  });
});

describe('every audit row a technician command writes names the technician', () => {
  let app: App;
  let dir: string;
  let cleanup: () => void;
  let socket: string;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    const config = testConfig(dir, { gpio: { backend: 'sim', buzzer: { line: 22, activeLow: false }, tamper: { line: 17, activeLow: false, bias: 'as-is', debounceMs: 0 } } });
    socket = config.control.socketPath;
    app = createApp(config, captureLogger().log, { controlSocket: true });
    await app.start();
  });

  afterAll(async () => {
    await app.stop();
    cleanup();
  });

  it('lock opens, service changes, backups, reveals, sim actions, gpio and input tests', async () => {
    const call = (command: string, args: Record<string, unknown> = {}) => request(socket, command, args, 10_000);
    // A parcel, so that there is a code to reveal.
    await call('sim.keys', { keys: '111111#' });
    await call('sim.scan', { text: '1Z999AA10123456784' });
    await call('sim.keys', { keys: '101#' });
    const opened = (await call('sim.keys', { keys: '#' })) as { displays: { text: string }[] };
    const compartment = /^Door (\w+)/.exec(opened.displays[0]!.text)![1]!;
    await call('sim.door', { compartment, action: 'close' });
    await call('sim.keys', { keys: '*' });
    await call('outbox', { revealCodes: true });
    await call('lock.open', { compartment: 'B14', reason: 'hinge check' });
    await call('sim.door', { compartment: 'B14', action: 'close' });
    await call('compartment.service', { compartment: 'B12', inService: false, reason: 'hinge broken' });
    await call('compartment.service', { compartment: 'B12', inService: true });
    await call('ledger.backup', { path: join(dir, 'backup.db') });
    await expect(call('sim.keys', { keys: '12x' })).rejects.toThrow(/not on the keypad/);
    await call('gpio.pulse', { name: 'buzzer', ms: 5 });
    await call('gpio.sim', { name: 'tamper', active: true });
    // A keypad test, ended by the client going away.
    const ended = new Promise<unknown>((resolve) => void request(socket, 'input.test', { kind: 'keypad', minutes: 1 }, 10_000, { onEvent: () => resolve(undefined), stopOnInterrupt: false }).catch(() => undefined));
    await ended;
    const deadline = Date.now() + 5000;
    while (!app.ledger.audit.recent(5).some((a) => a.action === 'input.test_started')) {
      if (Date.now() > deadline) throw new Error('no input.test_started row');
      await new Promise((r) => setTimeout(r, 20));
    }

    const rows = app.ledger.audit.recent(500);
    const byTechnician = (action: string) => rows.filter((a) => a.action === action).map((a) => a.actor);
    for (const action of ['sim.keys_pressed', 'sim.scanned', 'sim.door_set', 'sim.keys_refused', 'outbox.codes_revealed', 'compartment.out_of_service', 'compartment.back_in_service', 'ledger.backed_up', 'gpio.pulsed', 'gpio.sim_set', 'input.test_started']) {
      expect(byTechnician(action), action).not.toEqual([]);
      expect(new Set(byTechnician(action)), action).toEqual(new Set([ME]));
    }
    const technicianOpen = rows.find((a) => a.action === 'door.unlock_requested' && a.compartmentId === 'B14');
    expect(technicianOpen).toMatchObject({ actor: ME, detail: { purpose: 'technician', reason: 'hinge check' } });
    expect(app.ledger.db.prepare(`SELECT actor FROM door_operations WHERE purpose = 'technician'`).pluck().all()).toEqual([ME]);
    expect(rows.filter((a) => a.actor === 'technician')).toEqual([]);
    // What was typed or scanned is not in the trail, only how much.
    expect(JSON.stringify(rows)).not.toContain('111111');
    expect(rows.find((a) => a.action === 'sim.scanned')!.detail).toEqual({ length: 18 });
  }, 30_000);
});
