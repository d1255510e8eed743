/**
 * Our Modbus RTU master against a board we did not write: pymodbus (Debian package
 * python3-pymodbus) serves a plain relay/I-O board on one end of a socat pseudo-terminal pair, and
 * the door controller with the real serialport binding drives it from the other. Our own simulator
 * shares the codec with the driver, so a framing or CRC mistake common to both would pass every
 * other test; here pymodbus frames, checks and answers. (modbus-peer.test.ts is the other
 * direction: libmodbus as the master against our simulator.)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DoorChange } from '../../../drivers/contracts.js';
import { LockBoardController } from '../../../drivers/lockboard/door-controller.js';
import { PowerGroups } from '../../../drivers/lockboard/power-groups.js';
import type { BoardSpec } from '../../../drivers/lockboard/family.js';
import { loadSystemBinding } from '../../../drivers/lockboard/serial.js';
import { ROOT, tempDir } from '../../helpers/fixtures.js';
import { until } from '../../drivers/lockboard/mock-port.js';
import { SimProcess, SKIP_WITHOUT_SOCAT } from './sim-process.js';

/** Debian's interpreter, which python3-pymodbus is installed for (a python3 earlier on PATH may not have it). */
const PYTHON = '/usr/bin/python3';
const BOARD_SCRIPT = join(ROOT, 'test', 'integration', 'lockboard', 'pymodbus-board.py');

function havePymodbus(): boolean {
  const found = spawnSync(PYTHON, ['-c', 'import pymodbus, serial_asyncio'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI) throw new Error('CI=true but pymodbus is missing: .ci/run must apt-get install python3-pymodbus');
  return found;
}

interface CoilWrite {
  channel: number;
  on: boolean;
  t: number;
}

describe.skipIf(SKIP_WITHOUT_SOCAT || !havePymodbus())('Modbus RTU driver against a pymodbus board', () => {
  let cleanup: () => void;
  let board: SimProcess;
  let ctl: LockBoardController | undefined;
  let errors: string[];

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    const boardEnd = join(dir, 'board');
    const link = join(dir, 'bus');
    // socat makes the pair; pymodbus opens one end once both exist. One process group: stop() ends both.
    // The paths are the shell's $1 $2 $3, so nothing needs quoting.
    const script = [
      'socat pty,raw,echo=0,link="$1" pty,raw,echo=0,link="$2" &',
      'while [ ! -e "$1" ] || [ ! -e "$2" ]; do sleep 0.02; done',
      `exec ${PYTHON} "$3" --port "$1" --unit 1 --locks 8 --release-ms 40`,
    ].join('\n');
    board = await SimProcess.spawn('pymodbus-board', 'sh', ['-c', script, 'pymodbus-board', boardEnd, link, BOARD_SCRIPT], link);
    errors = [];
  });

  afterEach(async () => {
    await ctl?.stop();
    ctl = undefined;
    await board.stop();
    cleanup();
  });

  async function start(modbus: BoardSpec['modbus']): Promise<{ ctl: LockBoardController; doors: DoorChange[] }> {
    const log = {
      debug: () => {}, info: () => {}, warn: () => {},
      error: (_o: object, msg: string) => errors.push(msg),
    };
    const c = new LockBoardController({
      id: 'pymodbus', path: board.link, baudRate: 9600, echo: false, lowLatency: true, replyTimeoutMs: 150, pollIntervalMs: 20,
      offlineAfterMisses: 3, unlockAttempts: 2, statusRetries: 1, powerGroupGapMs: 20, reconnectMinMs: 50, reconnectMaxMs: 400,
      boards: [{
        id: 'R1', protocol: 'modbus-rtu', address: 1, locks: 8, polarity: 'one-is-closed', pulseMs: 200,
        powerGroup: 'psu', sensors: false, modbus,
      }],
      loadBinding: loadSystemBinding, powerGroups: new PowerGroups(), log,
    });
    ctl = c;
    const doors: DoorChange[] = [];
    c.on('door', (d) => doors.push(d));
    await c.start();
    expect(await until(() => c.health().every((h) => h.online), 5000), JSON.stringify(c.health())).toBe(true);
    return { ctl: c, doors };
  }

  const coilWrites = (): CoilWrite[] => board.lines.filter((l) => l.event === 'coil') as unknown as CoilWrite[];

  it('host-timed pulse: the relay is on for the pulse and then off, the latch input confirms the door, polls report it closing', async () => {
    const { ctl: c, doors } = await start({ feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'host' });
    expect(doors).toEqual([]); // every latch reads closed at start

    expect(await c.unlock({ board: 'R1', lock: 3 })).toEqual({ outcome: 'confirmed_open', attempts: 1 });
    const writes = coilWrites();
    expect(writes.map((w) => [w.channel, w.on])).toEqual([[2, true], [2, false]]);
    const heldMs = writes[1]!.t - writes[0]!.t;
    expect(heldMs).toBeGreaterThanOrEqual(150);
    expect(heldMs).toBeLessThan(1000);
    expect(doors).toEqual([expect.objectContaining({ board: 'R1', lock: 3, open: true })]);

    await board.cmd('close 3');
    expect(await until(() => doors.length === 2, 3000)).toBe(true);
    expect(doors[1]).toMatchObject({ board: 'R1', lock: 3, open: false });

    // A door opened without a command (forced) shows up from the poll alone.
    await board.cmd('open 6');
    expect(await until(() => doors.length === 3, 3000)).toBe(true);
    expect(doors[2]).toMatchObject({ board: 'R1', lock: 6, open: true });

    const h = c.health()[0]!;
    expect(h).toMatchObject({ online: true });
    expect(h.counters).toMatchObject({ checksum_errors: 0, discarded_bytes: 0, timeouts: 0, refused: 0, mismatched: 0, unlocks: 1, unlock_resends: 0 });
    expect(h.errors).toBe(0);
    expect(coilWrites()).toHaveLength(2); // polls never touch a relay
    expect(errors).toEqual([]);
  });

  it('board-timed pulse on a board without timed pulses: refused once, no relay switched, and the log says to use "host"', async () => {
    const { ctl: c, doors } = await start({ feedback: 'inputs', feedbackStart: 0, relayStart: 0, pulse: 'board' });
    expect(await c.unlock({ board: 'R1', lock: 2 })).toEqual({ outcome: 'unconfirmed', attempts: 1 });
    expect(coilWrites()).toEqual([]);
    expect(doors).toEqual([]);
    expect(errors).toEqual([expect.stringMatching(/refused the unlock; not resending: .*set modbus\.pulse to "host"/)]);
    expect(c.health()[0]).toMatchObject({ online: true });
    expect(c.health()[0]!.counters).toMatchObject({ refused: 1 });
  });
});
