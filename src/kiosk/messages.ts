/**
 * The kiosk's message catalogue: every sentence the kiosk screen shows, by id, in every language
 * of `LANGUAGES`. Placeholders are `{name}`; lists arrive already joined ("A01, A02").
 * English is the reference: its ids and placeholders type-check every call (MessageParams), and
 * test/kiosk/messages.test.ts checks that every language has every id with the same placeholders.
 * English texts are what the log, `lockerctl sim` and many tests compare: change them with care.
 */
import type { Language } from './screen.js';

const EN = {
  welcome: 'Residents: key your code and press #. Couriers: key your PIN and press #.',
  'entry.cleared': 'Entry cleared.',
  'entry.tooLong': 'Too many keys. Start again.',
  'session.timedOut': 'Session ended after no input. Start again.',
  'session.timedOutDoorOpen': 'Session ended after no input. Door {door} is still open: close it and the parcel is stored.',
  // Wording (README, Decisions): a resident who keyed a wrong or used code is told both causes; an
  // entry of another length may be a mistyped code as well as a PIN, so it accuses nobody of a PIN.
  'pickup.wrongCode': 'That code is not valid or its parcel was already collected. Check it and try again.',
  'login.wrongCodeOrPin': 'That code or PIN is not valid. Codes have {digits} digits.',
  'pickup.wrongQr': 'This QR code is not valid or its parcel was already collected.',
  'courier.sessionOpen': 'A courier session is open: press * to end it.',
  throttled: 'Too many wrong entries. Try again in {seconds} s.',
  'pickup.nothingWaiting': 'No parcel is waiting for this code.',
  'pickup.alreadyOpen': 'Door {doors} is already open. Take your parcel and close the door.',
  'courier.scanParcel': 'Hello {courier}. Scan a parcel, or press * to log out.',
  'courier.lockerFull': 'Hello {courier}. The locker is full: no compartment is free. Press * to log out.',
  'scan.checkDigitKeyed': 'That tracking number does not check out. Key it again.',
  'scan.notATrackingNumber': 'That is not a tracking number. Key the number under the barcode and press #.',
  'scan.refused': 'That scan could not be read. Scan again or key the tracking number.',
  'scan.notAParcel': "That is not a parcel label. Scan the parcel's shipping label.",
  'scan.checkDigit': 'That label did not read correctly. Scan again or key it in.',
  'scan.otherLocker': 'This QR code is for another locker.',
  'login.unknownBadge': 'That badge is not valid.',
  'scan.loginFirst': 'Couriers: log in with your PIN first. Residents: key your code.',
  'courier.keyUnit': 'Key the unit number and press #. Press * to go back.',
  // Never shows the entry back: a resident's code keyed at this prompt must not appear on screen.
  'courier.unitUnknown': 'That unit number does not exist. Key the unit number again.',
  'courier.alreadyInLocker': 'This tracking number is already in the locker, in {door}. Scan the next parcel, or press * to log out.',
  'courier.chooseSize': 'Size: 1 = S, 2 = M, 3 = L, 4 = XL, or # for the smallest that fits. Press * to go back.',
  'courier.chooseSizeForUnit': 'Parcel for unit {unit}. Size: 1 = S, 2 = M, 3 = L, 4 = XL, or # for the smallest that fits. Press * to go back.',
  'courier.badSize': 'Press 1, 2, 3 or 4 for a size, or # for automatic.',
  // The carrier the label names, shown once it is scanned (README, "Courier conveniences").
  'courier.keyUnitForCarrier': '{carrier} parcel. Key the unit number and press #. Press * to go back.',
  'courier.chooseSizeForUnitOfCarrier': '{carrier} parcel for unit {unit}. Size: 1 = S, 2 = M, 3 = L, 4 = XL, or # for the smallest that fits. Press * to go back.',
  // A unit with a parcel waiting in a shareable compartment (allocation.shareCompartments).
  'courier.chooseSizeOrShare': 'Unit {unit} has a parcel in {door}. Press C to add this one to {door} if it fits, or choose a size: 1 = S, 2 = M, 3 = L, 4 = XL, or # for the smallest that fits.',
  'courier.chooseSizeOrShareForCarrier': '{carrier} parcel. Unit {unit} has a parcel in {door}. Press C to add this one to {door} if it fits, or choose a size: 1 = S, 2 = M, 3 = L, 4 = XL, or # for the smallest that fits.',
  'courier.sharedDoorOpen': 'Door {door} is open. Put the parcel beside the one inside and close the door. No room? Press * for another door.',
  'courier.anotherDoorOpen': 'Door {from} is reported broken. Door {to} is open: put the parcel in {to} and close it.',
  'courier.noOtherDoor': 'Door {from} is reported broken and no other compartment is free. Keep the parcel.',
  'courier.full': 'No free compartment in size {sizes}. Keep the parcel.',
  'courier.doorsFailed': 'No door could be opened. Keep the parcel and call support.',
  'courier.doorOpen': 'Door {door} is open. Put the parcel in and close the door. Too small? Press * for a bigger one.',
  'courier.biggerDoorOpen': 'Door {to} is open. Close door {from}, put the parcel in {to} and close it.',
  'courier.noBiggerDoor': 'No bigger compartment is free. Keep the parcel and close door {from}.',
  'courier.deposited': 'Parcel stored in {door}. Scan the next parcel, or press * to log out.',
  'courier.loggedOut': 'Logged out. Thank you.',
  'pickup.doorOpen': 'Door {door} is open. Take your parcel and close the door.',
  'pickup.doorFailed': 'Door {door} did not open. Please call support; your code stays valid.',
  'pickup.done': 'Thank you. All your parcels are collected.',
  'input.keyNotOnKeypad': 'That key is not on the keypad.',
  'door.closeFirst': 'Close the open door first.',
  /** Shown (not said) while a lock fires: on a slow bus that can take a second or two. */
  'door.opening': 'Opening door {door}...',
  // Choice labels: what a key does now. The language key names the language it switches to, in that language.
  'choice.language': 'Español',
  'choice.clear': 'Clear',
  'choice.enter': 'OK',
  'choice.logOut': 'Log out',
  'choice.back': 'Back',
  'choice.biggerDoor': 'Too small: bigger door',
  'choice.doorDidNotOpen': 'Door did not open',
  'choice.noRoom': 'No room: another door',
  'choice.shareCompartment': "Add to the unit's compartment",
  'choice.size.S': 'Small (S)',
  'choice.size.M': 'Medium (M)',
  'choice.size.L': 'Large (L)',
  'choice.size.XL': 'Extra large (XL)',
  'choice.size.auto': 'Smallest that fits',
  'attention.doorLeftOpen': 'Please close door {door}.',
  'attention.upstreamOffline': 'Staff: no link to the office system. The locker works; events are sent later.',
} as const;

export type MessageId = keyof typeof EN;

/** The placeholder names of a text: `'Door {door} is open'` → `'door'`. */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** The parameters a message needs, from its English text. */
export type MessageParams<Id extends MessageId> = { [K in Placeholders<(typeof EN)[Id]>]: string | number };

// Spanish as a resident in the US reads it: "usted", "oprima", "casillero".
const ES: Record<MessageId, string> = {
  welcome: 'Residentes: marque su código y oprima #. Repartidores: marque su PIN y oprima #.',
  'entry.cleared': 'Entrada borrada.',
  'entry.tooLong': 'Demasiadas teclas. Empiece de nuevo.',
  'session.timedOut': 'La sesión terminó por inactividad. Empiece de nuevo.',
  'session.timedOutDoorOpen': 'La sesión terminó por inactividad. La puerta {door} sigue abierta: ciérrela y el paquete queda guardado.',
  'pickup.wrongCode': 'Ese código no es válido o su paquete ya fue recogido. Revíselo e intente de nuevo.',
  'login.wrongCodeOrPin': 'Ese código o PIN no es válido. Los códigos tienen {digits} dígitos.',
  'pickup.wrongQr': 'Este código QR no es válido o su paquete ya fue recogido.',
  'courier.sessionOpen': 'Hay una sesión de repartidor abierta: oprima * para terminarla.',
  throttled: 'Demasiados intentos fallidos. Intente de nuevo en {seconds} s.',
  'pickup.nothingWaiting': 'No hay ningún paquete esperando con este código.',
  'pickup.alreadyOpen': 'La puerta {doors} ya está abierta. Saque su paquete y cierre la puerta.',
  'courier.scanParcel': 'Hola, {courier}. Escanee un paquete u oprima * para cerrar sesión.',
  'courier.lockerFull': 'Hola, {courier}. El casillero está lleno: no hay ningún compartimento libre. Oprima * para cerrar sesión.',
  'scan.checkDigitKeyed': 'Ese número de rastreo no es correcto. Márquelo de nuevo.',
  'scan.notATrackingNumber': 'Eso no es un número de rastreo. Marque el número que aparece debajo del código de barras y oprima #.',
  'scan.refused': 'No se pudo leer el escaneo. Escanee de nuevo o marque el número de rastreo.',
  'scan.notAParcel': 'Esa no es una etiqueta de paquete. Escanee la etiqueta de envío del paquete.',
  'scan.checkDigit': 'La etiqueta no se leyó bien. Escanee de nuevo o marque el número.',
  'scan.otherLocker': 'Este código QR es de otro casillero.',
  'login.unknownBadge': 'Esa credencial no es válida.',
  'scan.loginFirst': 'Repartidores: primero inicie sesión con su PIN. Residentes: marque su código.',
  'courier.keyUnit': 'Marque el número de la unidad y oprima #. Oprima * para regresar.',
  'courier.unitUnknown': 'Ese número de unidad no existe. Marque el número de la unidad de nuevo.',
  'courier.alreadyInLocker': 'Este número de rastreo ya está en el casillero, en {door}. Escanee el siguiente paquete u oprima * para cerrar sesión.',
  'courier.chooseSize': 'Tamaño: 1 = S, 2 = M, 3 = L, 4 = XL, o # para el más pequeño que sirva. Oprima * para regresar.',
  'courier.chooseSizeForUnit': 'Paquete para la unidad {unit}. Tamaño: 1 = S, 2 = M, 3 = L, 4 = XL, o # para el más pequeño que sirva. Oprima * para regresar.',
  'courier.badSize': 'Oprima 1, 2, 3 o 4 para elegir el tamaño, o # para elegirlo automáticamente.',
  'courier.keyUnitForCarrier': 'Paquete de {carrier}. Marque el número de la unidad y oprima #. Oprima * para regresar.',
  'courier.chooseSizeForUnitOfCarrier': 'Paquete de {carrier} para la unidad {unit}. Tamaño: 1 = S, 2 = M, 3 = L, 4 = XL, o # para el más pequeño que sirva. Oprima * para regresar.',
  'courier.chooseSizeOrShare': 'La unidad {unit} tiene un paquete en {door}. Oprima C para agregar este a {door} si cabe, o elija un tamaño: 1 = S, 2 = M, 3 = L, 4 = XL, o # para el más pequeño que sirva.',
  'courier.chooseSizeOrShareForCarrier': 'Paquete de {carrier}. La unidad {unit} tiene un paquete en {door}. Oprima C para agregar este a {door} si cabe, o elija un tamaño: 1 = S, 2 = M, 3 = L, 4 = XL, o # para el más pequeño que sirva.',
  'courier.sharedDoorOpen': 'La puerta {door} está abierta. Meta el paquete junto al que ya está adentro y cierre la puerta. ¿No cabe? Oprima * para otra puerta.',
  'courier.anotherDoorOpen': 'La puerta {from} quedó reportada como averiada. La puerta {to} está abierta: meta el paquete en {to} y ciérrela.',
  'courier.noOtherDoor': 'La puerta {from} quedó reportada como averiada y no hay otro compartimento libre. Quédese con el paquete.',
  'courier.full': 'No hay ningún compartimento libre de tamaño {sizes}. Quédese con el paquete.',
  'courier.doorsFailed': 'No se pudo abrir ninguna puerta. Quédese con el paquete y llame a soporte.',
  'courier.doorOpen': 'La puerta {door} está abierta. Meta el paquete y cierre la puerta. ¿Es muy pequeño? Oprima * para uno más grande.',
  'courier.biggerDoorOpen': 'La puerta {to} está abierta. Cierre la puerta {from}, meta el paquete en {to} y ciérrela.',
  'courier.noBiggerDoor': 'No hay ningún compartimento más grande libre. Quédese con el paquete y cierre la puerta {from}.',
  'courier.deposited': 'Paquete guardado en {door}. Escanee el siguiente paquete u oprima * para cerrar sesión.',
  'courier.loggedOut': 'Sesión cerrada. Gracias.',
  'pickup.doorOpen': 'La puerta {door} está abierta. Saque su paquete y cierre la puerta.',
  'pickup.doorFailed': 'La puerta {door} no se abrió. Llame a soporte; su código sigue siendo válido.',
  'pickup.done': 'Gracias. Ya recogió todos sus paquetes.',
  'input.keyNotOnKeypad': 'Esa tecla no está en el teclado.',
  'door.closeFirst': 'Primero cierre la puerta abierta.',
  'door.opening': 'Abriendo la puerta {door}...',
  'choice.language': 'English',
  'choice.clear': 'Borrar',
  'choice.enter': 'Aceptar',
  'choice.logOut': 'Cerrar sesión',
  'choice.back': 'Regresar',
  'choice.biggerDoor': 'Muy pequeño: puerta más grande',
  'choice.doorDidNotOpen': 'La puerta no se abrió',
  'choice.noRoom': 'No cabe: otra puerta',
  'choice.shareCompartment': 'Agregar al compartimento de la unidad',
  'choice.size.S': 'Pequeño (S)',
  'choice.size.M': 'Mediano (M)',
  'choice.size.L': 'Grande (L)',
  'choice.size.XL': 'Extra grande (XL)',
  'choice.size.auto': 'El más pequeño que sirva',
  'attention.doorLeftOpen': 'Por favor, cierre la puerta {door}.',
  'attention.upstreamOffline': 'Personal: sin conexión con el sistema de la oficina. El casillero funciona; los eventos se envían después.',
};

export const CATALOGUE: Readonly<Record<Language, Readonly<Record<MessageId, string>>>> = { en: EN, es: ES };

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** The placeholder names of a catalogue text, sorted: what the catalogue test compares across languages. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

/** A message in a language with its placeholders filled; a missing parameter is a bug, so it throws. */
export function formatMessage(language: Language, id: MessageId, params: Record<string, string | number> = {}): string {
  const text = CATALOGUE[language][id] ?? EN[id];
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`message ${id} needs the parameter {${name}}`);
    return String(v);
  });
}
