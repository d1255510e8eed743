import { describe, expect, it } from 'vitest';
import { HidPosDecoder } from '../../../drivers/scanner/hid-pos.js';

/** A 64-byte HID POS input report: id, length, AIM id, data (zero padded), vendor code, more bit. */
function report(data: string, opts: { aim?: string; more?: boolean; id?: number; length?: number } = {}): Uint8Array {
  const r = new Uint8Array(64);
  r[0] = opts.id ?? 0x02;
  const d = Buffer.from(data, 'latin1');
  r[1] = opts.length ?? d.length;
  if (opts.aim) Buffer.from(opts.aim, 'latin1').copy(r, 2);
  d.copy(r, 5, 0, Math.min(d.length, 56));
  r[61] = 0x17; // vendor code id
  r[63] = opts.more ? 0x01 : 0x00;
  return r;
}

describe('HID POS reports', () => {
  it('reads a one-report scan with its AIM identifier kept in front of the text', () => {
    const d = new HidPosDecoder({ maxLength: 512 });
    expect(d.push(report('1Z879E930346834440', { aim: ']C0' }))).toEqual([{ text: ']C01Z879E930346834440', symbology: ']C0', overflow: false }]);
    expect(d.push(report('TBA502887274000'))).toEqual([{ text: 'TBA502887274000', overflow: false }]);
  });

  it('does not repeat an AIM id the data already starts with', () => {
    const d = new HidPosDecoder({ maxLength: 512 });
    expect(d.push(report(']Q1LKP1/x/y', { aim: ']Q1' }))).toEqual([{ text: ']Q1LKP1/x/y', symbology: ']Q1', overflow: false }]);
  });

  it('concatenates reports until the "more" bit is clear (a QR longer than 56 bytes)', () => {
    const d = new HidPosDecoder({ maxLength: 512 });
    const text = `[)>\x1e01\x1d96${'8417066720'.repeat(12)}`;
    const parts = [text.slice(0, 56), text.slice(56, 112), text.slice(112)];
    expect(d.push(report(parts[0]!, { aim: ']U1', more: true }))).toEqual([]);
    expect(d.pending).toBe(true);
    expect(d.push(report(parts[1]!, { more: true }))).toEqual([]);
    expect(d.push(report(parts[2]!))).toEqual([{ text: `]U1${text}`, symbology: ']U1', overflow: false }]);
    expect(d.pending).toBe(false);
  });

  it('keeps GS inside GS1 data', () => {
    const d = new HidPosDecoder({ maxLength: 512 });
    expect(d.push(report('42022153\x1d9101026837331000039521', { aim: ']C1' }))[0]!.text).toBe(']C142022153\x1d9101026837331000039521');
  });

  it('ignores reports with another report id, and abandons a scan on a malformed report', () => {
    const d = new HidPosDecoder({ maxLength: 512 });
    expect(d.push(report('status', { id: 0x04 }))).toEqual([]);
    expect(d.push(report('first half', { more: true }))).toEqual([]);
    expect(d.push(report('x', { length: 57 }))).toEqual([]); // longer than 56: malformed
    expect(d.pending).toBe(false);
    expect(d.push(new Uint8Array(20))).toEqual([]); // short report
    expect(d.push(report('clean'))).toEqual([{ text: 'clean', overflow: false }]);
    expect(d.counters).toEqual({ badReports: 2, abandoned: 1, otherReports: 1 });
  });

  it('drops a multi-report scan whose next report never comes (the shell calls abandon)', () => {
    const d = new HidPosDecoder({ maxLength: 512 });
    d.push(report('dangling', { more: true }));
    d.abandon();
    expect(d.push(report('next'))).toEqual([{ text: 'next', overflow: false }]);
  });

  it('ignores an empty report and reads no AIM id from zeros or junk', () => {
    const d = new HidPosDecoder({ maxLength: 512 });
    expect(d.push(report(''))).toEqual([]);
    expect(d.push(report('ok', { aim: ']\x00\x00' }))).toEqual([{ text: 'ok', overflow: false }]);
  });

  it('cuts a scan longer than maxLength at maxLength + 1, however many reports come', () => {
    const d = new HidPosDecoder({ maxLength: 100 });
    for (let i = 0; i < 50; i++) d.push(report('Z'.repeat(56), { more: true }));
    const [scan] = d.push(report('END'));
    expect(scan).toEqual({ text: 'Z'.repeat(101), overflow: true });
  });
});
