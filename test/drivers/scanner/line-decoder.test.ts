import { describe, expect, it } from 'vitest';
import { LineDecoder } from '../../../drivers/scanner/line-decoder.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');
const texts = (d: LineDecoder, ...chunks: string[]) => chunks.flatMap((c) => d.push(bytes(c))).map((l) => l.text);

describe('serial scanner framing', () => {
  it('ends a scan on CR, LF or CRLF and drops empty lines', () => {
    const d = new LineDecoder({ maxLength: 512 });
    expect(texts(d, '1Z879E930346834440\r', 'TBA502887274000\n', '9400111201080805483016\r\n', '\r\n\r\n', '\n\r', 'ABC\r\r\nDEF\n')).toEqual([
      '1Z879E930346834440',
      'TBA502887274000',
      '9400111201080805483016',
      'ABC',
      'DEF',
    ]);
  });

  it('joins a scan split across chunks, including a CRLF split between chunks', () => {
    const d = new LineDecoder({ maxLength: 512 });
    expect(texts(d, '4202215', '39\x1d91010268373310', '00039521\r')).toEqual(['420221539\x1d9101026837331000039521']);
    expect(texts(d, 'X1\r')).toEqual(['X1']);
    expect(texts(d, '\n', 'X2\r\n')).toEqual(['X2']); // the LF of a split CRLF is not an empty scan
    expect(d.pending).toBe(0);
  });

  it('keeps GS (FNC1) and other bytes for the barcode parser to judge', () => {
    const d = new LineDecoder({ maxLength: 512 });
    expect(texts(d, ']C1\x1d42022153\x1d9101026837331000039521\r', 'a\x00b\x07\n')).toEqual([']C1\x1d42022153\x1d9101026837331000039521', 'a\x00b\x07']);
  });

  it('decodes UTF-8 and replaces invalid bytes', () => {
    const d = new LineDecoder({ maxLength: 64 });
    const lines = d.push(Buffer.concat([Buffer.from('Straße', 'utf8'), Buffer.from([0xff, 0x0d])]));
    expect(lines.map((l) => l.text)).toEqual(['Straße\ufffd']);
  });

  it('cuts an over-long line at maxLength + 1, marks it, and discards the rest of it', () => {
    const d = new LineDecoder({ maxLength: 32 });
    const lines = d.push(bytes(`${'A'.repeat(10_000)}\rOK123\r`));
    expect(lines).toEqual([
      { text: 'A'.repeat(33), overflow: true },
      { text: 'OK123', overflow: false },
    ]);
    const exact = d.push(bytes(`${'B'.repeat(32)}\n`));
    expect(exact).toEqual([{ text: 'B'.repeat(32), overflow: false }]);
  });

  it('holds at most maxLength + 1 bytes without a terminator, and forgets them on reset', () => {
    const d = new LineDecoder({ maxLength: 40 });
    for (let i = 0; i < 100; i++) d.push(bytes('0123456789'));
    expect(d.pending).toBe(41);
    d.reset();
    expect(d.pending).toBe(0);
    expect(texts(d, 'NEW\r')).toEqual(['NEW']);
  });
});
