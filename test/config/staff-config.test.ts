/**
 * The `staff` list of the config: PINs of their own, of another length than codes and unlike any
 * courier's (the welcome screen tries staff and courier PINs on the same entry); badges the
 * scanner can read; never a PIN or badge in a message. Applied to the ledger as keyed hashes.
 */
import { describe, expect, it } from 'vitest';
import { randomToken } from '../../src/barcode/token.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { applyConfig } from '../../src/locker/apply-config.js';
import { tempDir, testConfig } from '../helpers/fixtures.js';

function minimal(staff: unknown): Record<string, unknown> {
  return {
    kioskId: 'k1',
    buses: [{ id: 'bus1', type: 'sim', boards: [{ id: 'B1', locks: 4 }] }],
    compartments: [{ id: 'A01', size: 'S', board: 'B1', lock: 1 }],
    units: [{ id: '101' }],
    couriers: [{ id: 'ups-1', carrier: 'UPS', pin: '4711' }],
    staff,
  };
}

function problemsOf(config: unknown): string[] {
  try {
    parseConfig(JSON.stringify(config), 'x.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

describe('config: staff', () => {
  it('defaults to none, and takes members with a name and a badge', () => {
    expect(parseConfig(JSON.stringify(minimal(undefined)), 'x.json').staff).toEqual([]);
    const badge = randomToken();
    expect(parseConfig(JSON.stringify(minimal([{ id: 'ana', name: 'Ana', pin: '24680', badge }])), 'x.json').staff).toEqual([{ id: 'ana', name: 'Ana', pin: '24680', badge }]);
  });

  it('refuses a PIN of the codes\' length, a courier\'s, a shared one, a repeated id and a badge that never scans, never printing them', () => {
    const badBadge = `${randomToken().slice(0, 25)}B`;
    const problems = problemsOf(minimal([
      { id: 'ana', pin: '13572468' },
      { id: 'ben', pin: '4711' },
      { id: 'cy', pin: '97531' },
      { id: 'dee', pin: '97531', badge: badBadge },
      { id: 'ana', pin: '86420' },
    ]));
    expect(problems).toEqual([
      'staff[0].pin: the PIN of staff member "ana" has 8 digits, the same as codes.length; the keypad tells retrieval codes and PINs apart by their length, so PINs need a different number of digits',
      'staff[1].pin: staff member "ben" has the same PIN as courier "ups-1"; everyone needs a PIN of their own',
      'staff[3].pin: staff member "dee" has the same PIN as "cy" (staff[2]); everyone needs a PIN of their own',
      'staff[3].badge: the badge of staff member "dee" would never scan: it must be 26 characters of canonical base32 (the last one A, E, I, M, Q, U, Y or 4, as 128 random bits encode); issue a new one',
      'staff[4].id: "ana" is already used by staff[0]',
    ]);
    const text = problems.join('\n');
    for (const secret of ['13572468', '4711', '97531', badBadge]) expect(text).not.toContain(secret);
  });

  it('hides a malformed PIN or badge in the schema\'s messages', () => {
    expect(problemsOf(minimal([{ id: 'ana', pin: '12a45' }]))).toEqual(['staff[0].pin: (hidden) is not valid: expected 4 to 12 digits, written as a string in double quotes']);
    expect(problemsOf(minimal([{ id: 'ana', pin: '24680', badge: 'lowercase-token' }]))).toEqual([
      'staff[0].badge: (hidden) is not valid: expected the 26-character base32 token of the badge barcode LKB1/<token>',
    ]);
  });

  it('is applied to the ledger as keyed hashes; a member dropped from the config no longer logs in', () => {
    const { dir, cleanup } = tempDir();
    try {
      const badge = randomToken();
      const config = testConfig(dir, { staff: [{ id: 'ana', name: 'Ana', pin: '24680', badge }] });
      const ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile });
      applyConfig(ledger, config, Date.now());
      expect(ledger.staff.byPinHash(ledger.hasher.hash('pin', '24680'))).toEqual({ id: 'ana', name: 'Ana' });
      expect(ledger.staff.byBadgeHash(ledger.hasher.hash('token', badge))).toEqual({ id: 'ana', name: 'Ana' });
      const rows = JSON.stringify(ledger.db.prepare('SELECT * FROM staff').all());
      expect(rows).not.toContain('24680');
      expect(rows).not.toContain(badge);
      applyConfig(ledger, { ...config, staff: [] }, Date.now());
      expect(ledger.staff.byPinHash(ledger.hasher.hash('pin', '24680'))).toBeUndefined();
      ledger.close();
    } finally {
      cleanup();
    }
  });
});
