/**
 * The screen model: what the kiosk shows, as data rather than a sentence. The kiosk session emits
 * one `ScreenState` on every change (`screen` event); the touch page (src/screen) draws it and
 * `lockerctl sim` prints it. A new flow appears on the screen by emitting this model: the page
 * needs no change for it. Nothing here may carry a code, a PIN or a token: the entry is a length.
 */
import type { Key } from '../../drivers/contracts.js';
import type { KioskStateName } from './kiosk-state.js';

/** Where the person is in a flow: the state of the session, or one of the idle screen's steps. */
export type ScreenStep = 'welcome' | Exclude<KioskStateName, 'idle'> | 'goodbye' | 'refusal' | 'throttled';

/** The languages of the message catalogue. */
export type Language = 'en' | 'es';
export const LANGUAGES: readonly Language[] = ['en', 'es'];

export type Tone = 'info' | 'success' | 'error';

/** A door the person must find or close, and how it is doing. */
export interface ScreenDoor {
  compartmentId: string;
  state: 'opening' | 'open' | 'closed' | 'failed';
}

/** One thing the person can do now, and the keypad key that does it. */
export interface ScreenChoice {
  key: Key;
  /** Message-catalogue id of the label (`choice.*`), and the label in the session's language. */
  labelId: string;
  label: string;
  /**
   * The keys this choice presses, in order, when it is more than `key` alone: a size is keyed and
   * then confirmed (`['1', '#']`), as on the physical keypad. Absent: just `key`.
   */
  sequence?: Key[];
}

/** Something staff or the person must see whatever the step: a door left open, a staff banner. */
export interface ScreenAttention {
  kind: 'door_left_open' | 'offline';
  /** In the session's language. */
  text: string;
  compartmentId?: string;
  /** `staff` banners (offline) are shown small and never alarm a resident. */
  audience: 'everyone' | 'staff';
}

export interface ScreenState {
  /** Increases with every state emitted by this daemon run: the page drops anything older. */
  seq: number;
  /** Milliseconds since the epoch, when this state was made. */
  at: number;
  step: ScreenStep;
  tone: Tone;
  language: Language;
  /** The prompt: its catalogue id, its parameters, and the text in the session's language. */
  prompt: { id: string; params: Record<string, string | number>; text: string };
  /** What is valid now, in keypad order. */
  choices: ScreenChoice[];
  /** Doors involved in this step (opened for the person, or to be closed). */
  doors: ScreenDoor[];
  /** A deadline that applies now: the session timing out, or the guessing throttle's wait. */
  countdown: { kind: 'session' | 'throttle'; endsAt: number } | null;
  /** How many keys are in the entry being typed: the page shows one dot per key, never the keys. */
  entryLength: number;
  attention: ScreenAttention[];
  /** What a flow lists beside its prompt (the desk's places, a resident's parcels, the signature pad); absent: nothing. */
  panel?: ScreenPanel;
}

/**
 * A flow's list or pad (src/kiosk/flows/desk.ts). Numbers are what staff key to pick a row.
 * Tracking numbers and names are for the staff at the desk; no code or token is ever here.
 */
export type ScreenPanel =
  | { kind: 'places'; places: { number: number; id: string; size: string; free: number; suggested: boolean }[] }
  | { kind: 'parcels'; unit: string; parcels: { placeId: string; carrier: string | null; tracking: string | null }[]; collectors: { number: number; name: string }[]; collector: string | null }
  /** The resident signs on a pad of `pad` units (the page scales); `statement` is what they sign, word for word. */
  | { kind: 'signature'; unit: string; statement: string; parcels: { placeId: string; tracking: string | null }[]; collector: string | null; pad: { width: number; height: number } };
