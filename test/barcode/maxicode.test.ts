/**
 * Sample MaxiCode messages from printer manuals: Honeywell/Datamax DPL command reference
 * ("UPS 3.0 zip + 4 with message data format and message header") and Minisoft eFORMz MaxiCode
 * page. Both carry the short tracking field (`1Z` + 8); completed with their shipper number and
 * service class, both give numbers whose UPS check digit holds, which confirms the layout.
 */

import { describe, expect, it } from 'vitest';

import { GS } from '../../src/barcode/gs1.js';
import { EOT, isMaxiCodeMessage, MAXICODE_HEADER, readMaxiCode, RS } from '../../src/barcode/maxicode.js';

const fields = (...f: string[]): string => f.join(GS);

const DATAMAX_SAMPLE = `[)>${RS}01${GS}96${fields('841706672', '840', '001', '1Z12345675', 'UPSN', '12345E', '089', '', '1/1', '10.1', 'Y', '', '', 'UT')}${RS}${EOT}`;
const MINISOFT_SAMPLE = `[)>${RS}01${GS}96${fields('890520000', '840', '003', '1Z12898809', 'UPSN', '868124', '246', '', '1/1', '000', 'N', '', 'HENDERSON', 'NV')}${RS}${EOT}`;

describe('readMaxiCode', () => {
  it('recognises the header', () => {
    expect(isMaxiCodeMessage(DATAMAX_SAMPLE)).toBe(true);
    expect(MAXICODE_HEADER).toBe('[)>\u001e01\u001d96');
    expect(isMaxiCodeMessage('[)>01')).toBe(false);
    expect(readMaxiCode('1Z879E930346834440')).toBeNull();
  });

  it('completes the short tracking field with shipper number and service class', () => {
    expect(readMaxiCode(DATAMAX_SAMPLE)).toEqual({ tracking: '1Z12345E0112345675' });
    expect(readMaxiCode(MINISOFT_SAMPLE)).toEqual({ tracking: '1Z8681240312898809' });
  });

  it('takes a full 18-character 1Z field as it is', () => {
    // Constructed: the TND number 1Z879E930346834440 in the tracking field.
    const msg = `${MAXICODE_HEADER}${fields('841706672', '840', '003', '1Z879E930346834440', 'UPSN', '879E93', '089')}${RS}${EOT}`;
    expect(readMaxiCode(msg)).toEqual({ tracking: '1Z879E930346834440' });
  });

  it('reads the plain fields ahead of UPS-compressed secondary data', () => {
    // Layout of IDAutomation's compressed MaxiCode example: plain fields, then RS + compressed data.
    // (That sample's number is synthetic: the completed 1Z fails its check digit.)
    const msg = `${MAXICODE_HEADER}145070000${GS}840${GS}328${GS}1Z00005170${GS}UPSN${GS}A790T3${RS}07)EX8BEUTP*$W$GHFX`;
    expect(readMaxiCode(msg)).toEqual({ tracking: '1ZA790T32800005170' });
  });

  it('returns no tracking when the message has none or it cannot be completed', () => {
    expect(readMaxiCode(`${MAXICODE_HEADER}841706672${GS}840${GS}001${RS}${EOT}`)).toEqual({});
    expect(readMaxiCode(`${MAXICODE_HEADER}841706672${GS}840${GS}XX${GS}1Z12345675${GS}UPSN${GS}12345E`)).toEqual({});
    expect(readMaxiCode(`${MAXICODE_HEADER}841706672${GS}840${GS}001${GS}1Z12345675`)).toEqual({});
  });
});
