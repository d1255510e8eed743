// The page's own words (the prompts come translated in the screen state): one entry per language
// of the kiosk's message catalogue, same keys in each (test/e2e/screen.browser.test.ts checks).
export const STRINGS = {
  en: {
    connecting: 'Connecting to the locker…',
    offlineTitle: 'The locker controller is not answering.',
    offlineText: 'Please wait: the screen reconnects by itself.',
    deliverTitle: 'I am delivering',
    deliverText: 'Key your courier PIN and press #, or scan your badge.',
    collectTitle: 'I am collecting',
    collectText: 'Key the code from your message and press #, or hold its QR code under the scanner.',
    contrast: 'High contrast',
    mapTitle: 'Doors',
    legendLow: 'low door, reachable from a wheelchair',
    low: 'low door',
    support: 'Help: {support}',
    sessionEnds: 'Ends in {s} s without input',
    throttleWait: 'Wait {s} s',
    entry: '{n} keys typed',
    back: 'Back',
    ok: 'OK',
    keypad: 'Keypad',
    door_opening: 'opening',
    door_open: 'open',
    door_closed: 'closed',
    door_failed: 'did not open',
    countLockers: '{n} lockers',
    countRoom: 'Package room {name}: {n} shelves',
    countDesk: 'Front desk {name}',
  },
  es: {
    connecting: 'Conectando con el casillero…',
    offlineTitle: 'El controlador del casillero no responde.',
    offlineText: 'Espere, por favor: la pantalla se vuelve a conectar sola.',
    deliverTitle: 'Vengo a entregar',
    deliverText: 'Marque su PIN de repartidor y oprima #, o escanee su credencial.',
    collectTitle: 'Vengo a recoger',
    collectText: 'Marque el código de su mensaje y oprima #, o ponga su código QR bajo el lector.',
    contrast: 'Alto contraste',
    mapTitle: 'Puertas',
    legendLow: 'puerta baja, al alcance desde una silla de ruedas',
    low: 'puerta baja',
    support: 'Ayuda: {support}',
    sessionEnds: 'Termina en {s} s sin actividad',
    throttleWait: 'Espere {s} s',
    entry: '{n} teclas marcadas',
    back: 'Atrás',
    ok: 'OK',
    keypad: 'Teclado',
    door_opening: 'abriéndose',
    door_open: 'abierta',
    door_closed: 'cerrada',
    door_failed: 'no se abrió',
    countLockers: '{n} casilleros',
    countRoom: 'Sala de paquetes {name}: {n} estantes',
    countDesk: 'Recepción {name}',
  },
};

export function t(language, id, params = {}) {
  const table = STRINGS[language] ?? STRINGS.en;
  const text = table[id] ?? STRINGS.en[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? ''));
}
