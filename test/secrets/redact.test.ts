/**
 * One mechanism hides credentials everywhere: the field names it knows, at any depth, and
 * lockerd's own barcode texts inside any string. The logger uses it for every line.
 */
import { describe, expect, it } from 'vitest';
import { formatBadge } from '../../src/barcode/badge.js';
import { formatPickupPayload } from '../../src/barcode/pickup.js';
import { randomToken } from '../../src/barcode/token.js';
import { containsCredentials, redactCredentials, reveal, shown } from '../../src/secrets/redact.js';
import { captureLogger } from '../helpers/fixtures.js';

describe('redactCredentials', () => {
  const token = randomToken();
  const qr = formatPickupPayload('demo-locker', token);
  const badge = formatBadge(randomToken());

  it('hides credential fields at any depth and in arrays, and leaves the rest as it was', () => {
    const value = {
      seq: 4,
      data: { unit: '101', code: '40803300', pickupQr: qr, codeId: 3, newCode: true },
      list: [{ deeper: { still: { pin: '111111', badgeToken: token, PIN: '222222' } } }],
      courier: { badge: true, secret: 'k', password: 'p', token: null },
    };
    expect(redactCredentials(value)).toEqual({
      seq: 4,
      data: { unit: '101', code: '[hidden]', pickupQr: '[hidden]', codeId: 3, newCode: true },
      list: [{ deeper: { still: { pin: '[hidden]', badgeToken: '[hidden]', PIN: '[hidden]' } } }],
      // A boolean or null says only whether there is one.
      courier: { badge: true, secret: '[hidden]', password: '[hidden]', token: null },
    });
    expect(value.data.code).toBe('40803300'); // a copy: the original is untouched
    class Holder {
      pin = '7777';
    }
    expect(redactCredentials({ held: new Holder(), at: new Date(0) })).toEqual({ held: { pin: '[hidden]' }, at: new Date(0) });
    // A credential is a string or a number: an object under such a name is walked, not hidden
    // (the throttle's status has `code: {...}` and `pin: {...}` budgets).
    expect(redactCredentials({ code: { waitMs: 0, failuresLastDay: 3 }, pin: { nested: { pin: '1234' } } })).toEqual({ code: { waitMs: 0, failuresLastDay: 3 }, pin: { nested: { pin: '[hidden]' } } });
    const clean = { a: [1, 'two', { b: null }], c: 'LK-ish but no slash' };
    expect(redactCredentials(clean)).toBe(clean);
  });

  it('hides pickup and badge texts inside any string, in any case, after an AIM id, damaged ones too', () => {
    expect(redactCredentials(`unknown compartment "${qr}"`)).toBe('unknown compartment "LKP1/[hidden]"');
    expect(redactCredentials(`]Q1${badge} and ${qr.toLowerCase()}`)).toBe(']Q1LKB1/[hidden] and lkp1/[hidden]');
    expect(redactCredentials({ reason: `${qr.slice(0, 20)}` })).toEqual({ reason: 'LKP1/[hidden]' });
    expect(redactCredentials('LKP2/future/thing')).toBe('LKP2/[hidden]');
    // A word that merely ends in "lk1/" is no barcode.
    expect(redactCredentials('/srv/bulk1/file')).toBe('/srv/bulk1/file');
    expect(containsCredentials(`x ${badge}`)).toBe(true);
    expect(containsCredentials({ tracking: '1Z999AA10123456784' })).toBe(false);
  });

  it('keeps an error code, which says what went wrong, and hides a code that could be a retrieval code', () => {
    expect(redactCredentials({ err: { code: 'ENOENT' } })).toEqual({ err: { code: 'ENOENT' } });
    expect(redactCredentials({ err: { code: 'SQLITE_BUSY' } })).toEqual({ err: { code: 'SQLITE_BUSY' } });
    expect(redactCredentials({ err: { code: 135 } })).toEqual({ err: { code: 135 } });
    expect(redactCredentials({ code: 40803300 })).toEqual({ code: '[hidden]' });
    expect(redactCredentials({ code: 'ABCD' })).toEqual({ code: '[hidden]' });
  });

  it('shows a revealed value as it is, and anything else redacted', () => {
    expect(shown(reveal({ code: '40803300' }))).toEqual({ code: '40803300' });
    expect(shown({ code: '40803300' })).toEqual({ code: '[hidden]' });
  });
});

describe('the logger', () => {
  it('censors credential fields at any depth, the message, and an error message and stack', () => {
    const { log, text } = captureLogger('debug');
    const qr = formatPickupPayload('demo-locker', randomToken());
    const badgeToken = randomToken();
    log.info({ a: { b: { c: { d: { pin: '9182736' } } } }, list: [{ code: '55667788' }], badgeToken }, `kiosk read ${qr}`);
    log.error({ err: new Error(`could not parse ${qr}`) }, 'failed');
    log.warn({ err: Object.assign(new Error('no file'), { code: 'ENOENT' }) }, 'missing');
    const out = text();
    for (const secret of ['9182736', '55667788', badgeToken, qr.split('/')[2]!]) expect(out).not.toContain(secret);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { err: { message: string; stack: string; code?: string } });
    expect(lines[0]).toMatchObject({ a: { b: { c: { d: { pin: '[redacted]' } } } }, list: [{ code: '[redacted]' }], msg: 'kiosk read LKP1/[redacted]' });
    expect(lines[1]!.err.message).toBe('could not parse LKP1/[redacted]');
    expect(lines[1]!.err.stack).toContain('could not parse LKP1/[redacted]');
    expect(lines[2]!.err.code).toBe('ENOENT');
  });
});
