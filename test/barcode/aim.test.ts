import { describe, expect, it } from 'vitest';

import { isGs1Symbology, isProductSymbology, stripAim } from '../../src/barcode/aim.js';

describe('stripAim', () => {
  it.each([
    [']C1420221539101026837331000039521', ']C1', '420221539101026837331000039521'],
    [']d2010001234567890521ABC', ']d2', '010001234567890521ABC'],
    [']Q3LKP1/kiosk-1/AAAA', ']Q3', 'LKP1/kiosk-1/AAAA'],
    [']E04006381333931', ']E0', '4006381333931'],
    [']I100012345678905', ']I1', '00012345678905'],
    [']U0[)>', ']U0', '[)>'],
    [']C01Z879E930346834440', ']C0', '1Z879E930346834440'],
  ])('strips %j', (raw, symbology, text) => {
    expect(stripAim(raw)).toEqual({ symbology, text });
  });

  it('leaves a scan without an identifier alone', () => {
    expect(stripAim('1Z879E930346834440')).toEqual({ text: '1Z879E930346834440' });
    expect(stripAim('')).toEqual({ text: '' });
  });

  it('does not strip a bracket that is not an identifier', () => {
    expect(stripAim(']')).toEqual({ text: ']' });
    expect(stripAim(']C')).toEqual({ text: ']C' });
    expect(stripAim(']1C1')).toEqual({ text: ']1C1' });
    expect(stripAim('x]C1abc')).toEqual({ text: 'x]C1abc' });
    expect(stripAim(']C/abc')).toEqual({ text: ']C/abc' });
  });

  it('strips only one identifier', () => {
    expect(stripAim(']C1]C1123')).toEqual({ symbology: ']C1', text: ']C1123' });
  });

  it('tells GS1 and product symbologies apart', () => {
    for (const s of [']C1', ']d2', ']Q3', ']e0']) expect(isGs1Symbology(s)).toBe(true);
    for (const s of [']C0', ']d1', ']Q1', ']E0', undefined]) expect(isGs1Symbology(s)).toBe(false);
    expect(isProductSymbology(']E0')).toBe(true);
    expect(isProductSymbology(']E4')).toBe(true);
    expect(isProductSymbology(']C0')).toBe(false);
    expect(isProductSymbology(undefined)).toBe(false);
  });
});
