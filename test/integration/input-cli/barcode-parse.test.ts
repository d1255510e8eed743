/** `lockerctl barcode parse TEXT --json`: runs locally (no daemon) and classifies every carrier. */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatBadge, formatPickupPayload, randomToken } from '../../../src/barcode/index.js';
import { unescapeScan } from '../../../src/cli/commands/input.js';
import { run } from '../../../src/cli/lockerctl.js';
import { LOCKERCTL } from '../../helpers/daemon.js';

async function parse(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(['barcode', 'parse', ...args], (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

async function json(text: string, ...flags: string[]): Promise<Record<string, unknown>> {
  const r = await parse(text, '--json', ...flags);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Record<string, unknown>;
}

// Test numbers as in test/barcode/*.test.ts (sources listed there).
const VALID: [string, string, string][] = [
  ['1Z879E930346834440', 'UPS', '1Z879E930346834440'],
  ['568838414941', 'FedEx', '568838414941'],
  ['020207021381215', 'FedEx', '020207021381215'],
  ['9611020987654312345672', 'FedEx', '987654312345672'],
  ['1001921334250001000300779017972697', 'FedEx', '779017972697'],
  ['9400 1112 0108 0805 4830 16', 'USPS', '9400111201080805483016'],
  ['92001903060085300042901077', 'USPS', '92001903060085300042901077'],
  ['03071790000523483741', 'USPS', '03071790000523483741'],
  ['420221539\\x1d9101026837331000039521', 'USPS', '9101026837331000039521'],
  [']C142022153\\x1d9101026837331000039521', 'USPS', '9101026837331000039521'],
  ['RB123456785US', 'USPS', 'RB123456785US'],
  ['3318810025', 'DHL', '3318810025'],
  ['TBA502887274000', 'Amazon', 'TBA502887274000'],
  ['RB123456785GB', 'UPU', 'RB123456785GB'],
];

const INVALID: [string, string][] = [
  ['1Z879E930346834441', 'UPS'],
  ['9611020987654312345673', 'FedEx'],
  ['9400111201080805483017', 'USPS'],
  ['42022153\\x1d9101026837331000039522', 'USPS'],
  ['RB123456786GB', 'UPU'],
];

describe('lockerctl barcode parse', () => {
  it.each(VALID)('%s is a valid %s parcel', async (text, carrier, tracking) => {
    expect(await json(text)).toMatchObject({ kind: 'parcel', carrier, tracking, valid: true });
  });

  it.each(INVALID)('%s fails its %s check digit', async (text, carrier) => {
    expect(await json(text)).toMatchObject({ kind: 'parcel', carrier, valid: false, reason: expect.stringContaining('check digit') });
  });

  it('recognises pickup QR payloads and badges, and tells unknown and refused scans apart', async () => {
    const token = randomToken();
    expect(await json(formatPickupPayload('demo-locker', token))).toEqual({ kind: 'pickup', valid: true, pickup: { kioskId: 'demo-locker', token } });
    expect(await json(formatBadge(token))).toMatchObject({ kind: 'badge', valid: true });
    expect(await json('hello world!')).toMatchObject({ kind: 'unknown', valid: false });
    expect(await json('AB\\x07CD')).toMatchObject({ kind: 'refused', valid: false });
    expect(await json('C11223344556677')).toMatchObject({ kind: 'parcel', carrier: 'unknown', valid: true });
    expect(await json('1'.repeat(40), '--max-length', '32')).toMatchObject({ kind: 'refused', length: 40 });
  });

  it('prints a readable summary without --json, and refuses bad usage with exit 64', async () => {
    const r = await parse('1Z879E930346834440');
    expect(r.out).toBe('kind: parcel\ncarrier: UPS\ntracking: 1Z879E930346834440\nvalid: true\n');
    expect((await parse()).code).toBe(64);
    expect((await parse('a', 'b')).code).toBe(64);
    expect((await parse('x', '--max-length', '0')).err).toContain('--max-length must be a whole number from 1 to 4096');
  });

  it('unescapes \\xHH, \\uHHHH and \\\\', () => {
    expect(unescapeScan('a\\x1db\\u001dc\\\\x1d')).toBe('a\x1db\x1dc\\x1d');
  });

  it('works as a command with no daemon and no config to reach', async () => {
    const { stdout, code } = await new Promise<{ stdout: string; code: number }>((resolve) =>
      execFile(process.execPath, [LOCKERCTL, '--socket', '/nonexistent/lockerd.sock', 'barcode', 'parse', '420221539\\x1d9101026837331000039521', '--json'], (err, stdout) =>
        resolve({ stdout, code: err ? 1 : 0 }),
      ),
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ kind: 'parcel', carrier: 'USPS', tracking: '9101026837331000039521', valid: true });
  });
});
