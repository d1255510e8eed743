import { describe, expect, it } from 'vitest';
import type { CompartmentSize } from '../../src/config/types.js';
import type { Compartment } from '../../src/ledger/compartments.js';
import { chooseCompartment, chooseSharedCompartment, type OccupiedCompartment } from '../../src/locker/allocation.js';

const c = (id: string, size: CompartmentSize, accessible = false, outOfService: string | null = null): Compartment => ({ id, kind: 'locker', size, board: 'B1', lock: 1, accessible, outOfService });

describe('chooseCompartment', () => {
  const free = [c('M2', 'M'), c('S2', 'S'), c('S1', 'S'), c('L1', 'L'), c('XL1', 'XL'), c('SA', 'S', true)];

  it('picks the smallest id of the requested size', () => {
    expect(chooseCompartment(free, { size: 'S', accessibleOnly: false })).toEqual({ ok: true, compartment: free[2] });
  });

  it('auto starts from the smallest size', () => {
    expect(chooseCompartment(free, { size: 'auto', accessibleOnly: false })).toMatchObject({ compartment: { id: 'S1' } });
  });

  it('goes to the next size up when the requested one is full', () => {
    expect(chooseCompartment([c('L1', 'L'), c('XL1', 'XL')], { size: 'M', accessibleOnly: false })).toMatchObject({ compartment: { id: 'L1' } });
  });

  it('never goes down a size', () => {
    expect(chooseCompartment([c('S1', 'S'), c('M1', 'M')], { size: 'L', accessibleOnly: false })).toEqual({ ok: false, fullSizes: ['L', 'XL'] });
  });

  it('keeps accessible compartments for last, but uses one rather than refuse', () => {
    expect(chooseCompartment([c('SA', 'S', true), c('S9', 'S')], { size: 'S', accessibleOnly: false })).toMatchObject({ compartment: { id: 'S9' } });
    expect(chooseCompartment([c('SA', 'S', true), c('MA', 'M', true)], { size: 'S', accessibleOnly: false })).toMatchObject({ compartment: { id: 'SA' } });
  });

  it('gives an ordinary unit a bigger ordinary compartment before a low one of its size', () => {
    expect(chooseCompartment([c('SA', 'S', true), c('M1', 'M')], { size: 'S', accessibleOnly: false })).toMatchObject({ compartment: { id: 'M1' } });
    expect(chooseCompartment([c('SA', 'S', true), c('MA', 'M', true), c('XL1', 'XL')], { size: 'auto', accessibleOnly: false })).toMatchObject({ compartment: { id: 'XL1' } });
    // Only low doors left: the smallest fitting one, rather than refuse the parcel.
    expect(chooseCompartment([c('LA', 'L', true), c('MA', 'M', true), c('S1', 'S')], { size: 'M', accessibleOnly: false })).toMatchObject({ compartment: { id: 'MA' } });
    // A low door never makes an ordinary unit go down a size.
    expect(chooseCompartment([c('SA', 'S', true)], { size: 'M', accessibleOnly: false })).toEqual({ ok: false, fullSizes: ['M', 'L', 'XL'] });
  });

  it('gives accessible units only accessible compartments', () => {
    expect(chooseCompartment(free, { size: 'S', accessibleOnly: true })).toMatchObject({ compartment: { id: 'SA' } });
    expect(chooseCompartment(free, { size: 'M', accessibleOnly: true })).toEqual({ ok: false, fullSizes: ['M', 'L', 'XL'] });
  });

  it('skips excluded and out-of-service compartments', () => {
    expect(chooseCompartment([c('S1', 'S'), c('S2', 'S', false, 'jammed'), c('S3', 'S')], { size: 'S', accessibleOnly: false, exclude: new Set(['S1']) })).toMatchObject({ compartment: { id: 'S3' } });
  });

  it('says every size is full on an empty locker', () => {
    expect(chooseCompartment([], { size: 'auto', accessibleOnly: false })).toEqual({ ok: false, fullSizes: ['S', 'M', 'L', 'XL'] });
  });
});

describe('chooseSharedCompartment', () => {
  const waiting = (unit = '101', codeId: number | null = 7) => ({ unit, state: 'deposited', direction: 'inbound', codeId });
  const occ = (compartment: Compartment, parcels = [waiting()], more: Partial<OccupiedCompartment> = {}): OccupiedCompartment => ({ compartment, parcels, busy: false, answering: true, ...more });
  const share = { unit: '101', liveCodeId: 7, sizes: ['L', 'XL'] as CompartmentSize[] };

  it('offers the lowest-id compartment of a shareable size holding only this unit\'s waiting parcels', () => {
    expect(chooseSharedCompartment([occ(c('L2', 'L')), occ(c('L1', 'L'), [waiting(), waiting()]), occ(c('XL1', 'XL'))], share)?.id).toBe('L1');
  });

  it('never offers a size that is not shareable', () => {
    expect(chooseSharedCompartment([occ(c('M1', 'M')), occ(c('S1', 'S'))], share)).toBeNull();
    expect(chooseSharedCompartment([occ(c('L1', 'L'))], { ...share, sizes: [] })).toBeNull();
  });

  it('never mixes units, codes, returns or a parcel still on its way in', () => {
    expect(chooseSharedCompartment([occ(c('L1', 'L'), [waiting(), waiting('102')])], share)).toBeNull();
    expect(chooseSharedCompartment([occ(c('L1', 'L'), [waiting('101', 3)])], share)).toBeNull();
    expect(chooseSharedCompartment([occ(c('L1', 'L'), [{ ...waiting(), direction: 'outbound' }])], share)).toBeNull();
    expect(chooseSharedCompartment([occ(c('L1', 'L'), [{ ...waiting(), state: 'reserved' }])], share)).toBeNull();
    expect(chooseSharedCompartment([occ(c('L1', 'L'))], { ...share, liveCodeId: null })).toBeNull();
  });

  it('skips a compartment that is empty, out of service, busy or on a silent board', () => {
    expect(chooseSharedCompartment([occ(c('L1', 'L'), [])], share)).toBeNull();
    expect(chooseSharedCompartment([occ(c('L1', 'L', false, 'jammed'))], share)).toBeNull();
    expect(chooseSharedCompartment([occ(c('L1', 'L'), [waiting()], { busy: true })], share)).toBeNull();
    expect(chooseSharedCompartment([occ(c('L1', 'L'), [waiting()], { answering: false }), occ(c('XL1', 'XL'))], share)?.id).toBe('XL1');
  });
});
