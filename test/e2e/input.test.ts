/**
 * Done-when of issue 4: the built daemon with a serial scanner and a serial keypad on
 * pseudo-terminals. Bytes written to the other ends drive a courier deposit (USPS IMpb with GS)
 * and the resident's pickup; lockerctl shows the result. Then the technician's live scanner test
 * (streamed, stopped with Ctrl-C), and the cabinet's tamper and power-fail inputs (simulated GPIO).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, LOCKERCTL, lockerctl } from '../helpers/daemon.js';
import { ROOT, tempDir, testConfigJson, writeConfig } from '../helpers/fixtures.js';
import { PtyPair, skipWithoutSocat, waitFor } from '../helpers/socat.js';

const skip = skipWithoutSocat();

describe.skipIf(skip)('the built daemon with a serial scanner and a serial keypad', () => {
  let dir: string;
  let cleanup: () => void;
  let configPath: string;
  let daemon: Daemon;
  let scanner: PtyPair;
  let keypad: PtyPair;

  const json = async (...args: string[]): Promise<any> => {
    const r = await lockerctl(['--config', configPath, '--json', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  /** Polls `lockerctl status` until the kiosk is in `state`; returns what the screen says. */
  async function kioskReaches(state: string, timeoutMs = 8000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await json('status');
      if (s.kiosk.state === state) return s.kiosk.display as string;
      if (Date.now() > deadline) throw new Error(`kiosk is in ${s.kiosk.state} ("${s.kiosk.display}"), not ${state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('lockerd-e2e-input-'));
    scanner = await PtyPair.open(dir, 'scanner');
    keypad = await PtyPair.open(dir, 'keypad');
    const config = {
      ...testConfigJson(dir),
      scanners: [{ type: 'serial', name: 'lobby-scanner', path: scanner.dev }],
      keypads: [{ type: 'serial', name: 'lobby-keypad', path: keypad.dev }],
      gpio: {
        backend: 'sim',
        tamper: { line: 17, debounceMs: 20 },
        powerFail: { line: 27, activeLow: true, debounceMs: 100 },
        buzzer: { line: 22 },
      },
    };
    configPath = writeConfig(dir, config);
    daemon = Daemon.spawn(configPath);
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    await scanner?.close();
    await keypad?.close();
    cleanup?.();
  });

  it('drives a courier deposit and a resident pickup from pty bytes', async () => {
    const inputs = await json('inputs');
    expect(inputs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'lobby-scanner', type: 'serial', online: true }),
        expect.objectContaining({ name: 'lobby-keypad', type: 'serial', online: true }),
      ]),
    );

    keypad.write('111111#'); // the demo UPS courier's PIN
    expect(await kioskReaches('courier_scan')).toBe('Hello UPS. Scan a parcel, or press * to log out.');
    scanner.write('420221539\x1d9101026837331000039521\r\n'); // USPS IMpb: 420 + ZIP + GS + 22 digits
    await kioskReaches('courier_unit');
    keypad.write('101#');
    await kioskReaches('courier_size');
    keypad.write('#'); // the smallest size that fits
    const open = await kioskReaches('courier_door');
    const compartment = /^Door (\w+) is open/.exec(open)![1]!;
    expect((await json('sim', 'door', compartment, 'close')).displays[0].text).toBe(`Parcel stored in ${compartment}. Scan the next parcel, or press * to log out.`);
    keypad.write('*');
    await kioskReaches('idle');

    const deposited = (await json('outbox', '--reveal-codes')).events.find((e: { type: string }) => e.type === 'parcel.deposited');
    const code: string = deposited.data.code;
    expect(code).toMatch(/^\d{8}$/);
    keypad.write(`${code}#`);
    expect(await kioskReaches('resident_doors')).toBe(`Door ${compartment} is open. Take your parcel and close the door.`);
    expect((await json('sim', 'door', compartment, 'close')).displays[0].text).toBe('Thank you. All your parcels are collected.');

    const parcels = await json('parcels');
    expect(parcels).toHaveLength(1);
    expect(parcels[0]).toMatchObject({ state: 'picked_up', unit: '101', compartmentId: compartment, carrier: 'USPS', tracking: '9101026837331000039521' });

    // Keys typed on the keypad never reach the log.
    expect(daemon.output).toContain('parcel scanned');
    expect(daemon.output).not.toContain(code);
    expect(daemon.output).not.toContain('111111');
  });

  it('streams a live scanner test to lockerctl until Ctrl-C, then gives the scanner back to the kiosk', async () => {
    const child = spawn(process.execPath, [LOCKERCTL, '--config', configPath, '--json', 'scanner', 'test', '--device', 'lobby-scanner'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => out.includes('"kind":"watching"'), 8000, 'the test header');
      scanner.write('1Z879E930346834441\r'); // a misread UPS label
      await waitFor(() => out.includes('"kind":"scan"'), 5000, 'the scan event');
      const scan = JSON.parse(out.split('\n').find((l) => l.includes('"kind":"scan"'))!);
      expect(scan).toMatchObject({ device: 'lobby-scanner', text: '1Z879E930346834441', result: { kind: 'parcel', carrier: 'UPS', valid: false } });
      expect((await json('status')).kiosk.state).toBe('idle'); // the kiosk did not see it
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    // With --json a stream is one object per line, its result the last one.
    expect(JSON.parse(out.trimEnd().split('\n').at(-1)!)).toEqual({ result: expect.objectContaining({ stopped: true, events: 2 }) });
    // The daemon noticed the client leaving: the scanner feeds the kiosk again.
    const deadline = Date.now() + 5000;
    while (!(await json('audit', '--limit', '5')).some((a: { action: string }) => a.action === 'input.test_ended')) {
      if (Date.now() > deadline) throw new Error('the scanner test did not end in the daemon');
      await new Promise((r) => setTimeout(r, 50));
    }
    scanner.write('1Z879E930346834440\r');
    const until = Date.now() + 5000;
    while ((await json('status')).kiosk.display !== 'Couriers: log in with your PIN first. Residents: key your code.') {
      if (Date.now() > until) throw new Error('the kiosk did not get the scan');
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('records tamper, then shuts down cleanly on power loss with the event in the ledger', async () => {
    expect((await json('gpio')).lines.map((l: { name: string }) => l.name)).toEqual(['tamper', 'powerFail', 'buzzer']);
    await json('gpio', 'sim', 'tamper', 'active');
    await waitFor(() => daemon.output.includes('cabinet tamper switch: the kiosk cabinet was opened'), 5000, 'tamper');
    await json('gpio', 'sim', 'powerFail', 'active');
    expect(await daemon.exited).toBe(0);
    expect(daemon.output).toContain('mains power lost (UPS power-fail input); recorded, ledger checkpointed, shutting down cleanly');
    expect(daemon.output).toContain('lockerd stopped');
    const db = new Database(join(dir, 'lockerd.db'), { readonly: true });
    const types = (db.prepare('SELECT type, payload FROM outbox ORDER BY seq').all() as { type: string; payload: string }[])
      .filter((e) => e.type.startsWith('kiosk.'))
      .map((e) => ({ type: e.type, data: (JSON.parse(e.payload) as { data?: unknown }).data ?? JSON.parse(e.payload) }));
    db.close();
    expect(types).toEqual([
      { type: 'kiosk.tamper', data: { open: true } },
      { type: 'kiosk.power_lost', data: {} },
    ]);
  });
});
