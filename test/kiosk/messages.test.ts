/**
 * The kiosk's message catalogue: every id in every language, with the same placeholders, and
 * formatting fills them (a missing parameter is an error, never a "{door}" on screen).
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE, formatMessage, placeholdersOf, type MessageId } from '../../src/kiosk/messages.js';
import { LANGUAGES } from '../../src/kiosk/screen.js';

const ids = Object.keys(CATALOGUE.en) as MessageId[];

describe('the kiosk message catalogue', () => {
  it('has every language of LANGUAGES, and every id in each of them', () => {
    expect(Object.keys(CATALOGUE).sort()).toEqual([...LANGUAGES].sort());
    expect(ids.length).toBeGreaterThan(40);
    for (const language of LANGUAGES) {
      expect(Object.keys(CATALOGUE[language]).sort(), language).toEqual([...ids].sort());
      for (const id of ids) expect(CATALOGUE[language][id].trim(), `${language} ${id}`).not.toBe('');
    }
  });

  it('uses the same placeholders in every language', () => {
    for (const id of ids) {
      const en = placeholdersOf(CATALOGUE.en[id]);
      for (const language of LANGUAGES) expect(placeholdersOf(CATALOGUE[language][id]), `${language} ${id}`).toEqual(en);
    }
  });

  it('is translated: no Spanish text is the English one', () => {
    const same = ids.filter((id) => CATALOGUE.es[id] === CATALOGUE.en[id]);
    expect(same).toEqual([]);
  });

  it('has a label for every choice and the attention texts', () => {
    for (const id of ['choice.language', 'choice.clear', 'choice.enter', 'choice.logOut', 'choice.back', 'choice.biggerDoor', 'choice.size.S', 'choice.size.M', 'choice.size.L', 'choice.size.XL', 'choice.size.auto', 'attention.doorLeftOpen']) {
      expect(ids).toContain(id);
    }
  });

  it('fills every placeholder, in every language', () => {
    for (const language of LANGUAGES) {
      for (const id of ids) {
        const params = Object.fromEntries(placeholdersOf(CATALOGUE[language][id]).map((p, i) => [p, `<${p}${i}>`]));
        const text = formatMessage(language, id, params);
        expect(text, `${language} ${id}`).not.toMatch(/\{[A-Za-z]+\}/);
        for (const v of Object.values(params)) expect(text).toContain(v);
      }
    }
    expect(formatMessage('en', 'courier.biggerDoorOpen', { from: 'A01', to: 'B02' })).toBe('Door B02 is open. Close door A01, put the parcel in B02 and close it.');
    expect(formatMessage('es', 'throttled', { seconds: 30 })).toBe('Demasiados intentos fallidos. Intente de nuevo en 30 s.');
    expect(formatMessage('en', 'login.wrongCodeOrPin', { digits: 8 })).toBe('That code or PIN is not valid. Codes have 8 digits.');
  });

  it('refuses to format a message whose parameter is missing', () => {
    expect(() => formatMessage('en', 'pickup.doorOpen', {})).toThrow('message pickup.doorOpen needs the parameter {door}');
  });
});
