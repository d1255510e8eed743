/**
 * Builds the screen model (screen.ts) from what the kiosk session knows. Pure: no clock, no
 * events; the session decides when a state is emitted and gives it its seq and time.
 */
import { KEYS, type Key } from '../../drivers/contracts.js';
import { formatMessage, type MessageId } from './messages.js';
import type { KioskStateName } from './kiosk-state.js';
import type { Language, ScreenChoice, ScreenDoor, ScreenPanel, ScreenState, ScreenStep, Tone } from './screen.js';

/** Where the session's state machine is (KioskSession.state). */
export type Flow = KioskStateName;

/** A choice as a flow declares it: the key, its label's catalogue id, the keys it presses. */
export interface ChoiceSpec {
  key: Key;
  labelId: MessageId;
  sequence?: Key[];
}

/** The key that switches the language at the welcome screen (the page can send only keypad keys). */
export const LANGUAGE_KEY: Key = 'A';
/** At the size prompt: add the parcel to the unit's compartment ("add to A11"). */
export const SHARE_KEY: Key = 'C';
/** While the deposit door is open: the courier says it did not open. */
export const DOOR_DID_NOT_OPEN_KEY: Key = 'D';

export interface ScreenFacts {
  step: ScreenStep;
  tone: Tone;
  language: Language;
  prompt: { id: MessageId; params: Record<string, string | number> };
  flow: Flow;
  entryLength: number;
  /** The kiosk said "A courier session is open: press * to end it": `*` logs out. */
  cancelEndsSession: boolean;
  /** A door operation is under way: input waits in the queue, nothing is a choice now. */
  busy: boolean;
  doors: ScreenDoor[];
  countdown: ScreenState['countdown'];
  /** Compartments left open longer than `doors.leftOpenMs`. */
  leftOpen: string[];
  /** Upstream unreachable for a while (src/kiosk/upstream-notice.ts): a staff banner. */
  upstreamOffline?: boolean;
  /** At the size prompt: the parcel may join the unit's compartment (key C, allocation.shareCompartments). */
  shareOffered?: boolean;
  /** The open deposit door is a shared compartment's: `*` means "no room" rather than "too small". */
  sharedDoor?: boolean;
  /** The open door is a package room's, for an overflow parcel: no bigger or other door. */
  overflowDoor?: boolean;
  /** The choices of a state owned by a flow of ./flows/ (the courier and resident ones are below). */
  flowChoices?: ChoiceSpec[];
  /** Keys that start a flow of ./flows/ from the welcome screen or a courier's prompt (send a return...). */
  startChoices?: ChoiceSpec[];
  /** The list or pad of a flow of ./flows/ (ScreenState.panel). */
  panel?: ScreenPanel;
}

export const SIZE_CHOICES: readonly { key: Key; labelId: MessageId }[] = [
  { key: '1', labelId: 'choice.size.S' },
  { key: '2', labelId: 'choice.size.M' },
  { key: '3', labelId: 'choice.size.L' },
  { key: '4', labelId: 'choice.size.XL' },
];

/** The keys that do something other than type a character now, with their labels, in keypad order. */
export function choicesFor(f: ScreenFacts): ScreenChoice[] {
  if (f.busy) return [];
  const choice = (key: Key, labelId: MessageId, sequence?: Key[]): ScreenChoice => ({ key, labelId, label: formatMessage(f.language, labelId), ...(sequence ? { sequence } : {}) });
  const typing = f.entryLength > 0;
  // With keys typed, * clears them first (whatever the step) and # submits them.
  const clearOrEnter = [choice('*', 'choice.clear'), choice('#', 'choice.enter')];
  const back = f.cancelEndsSession ? choice('*', 'choice.logOut') : choice('*', 'choice.back');
  const starts = (f.startChoices ?? []).map((c) => choice(c.key, c.labelId, c.sequence));
  let out: ScreenChoice[];
  switch (f.flow) {
    case 'idle':
      out = typing ? clearOrEnter : [choice(LANGUAGE_KEY, 'choice.language'), ...starts];
      break;
    case 'courier_scan':
      out = typing ? clearOrEnter : [choice('*', 'choice.logOut'), ...starts];
      break;
    case 'courier_unit':
      out = typing ? clearOrEnter : [back];
      break;
    case 'courier_size':
      out = typing ? clearOrEnter : [...SIZE_CHOICES.map((s) => choice(s.key, s.labelId, [s.key, '#'])), back, choice('#', 'choice.size.auto'), ...(f.shareOffered ? [choice(SHARE_KEY, 'choice.shareCompartment')] : [])];
      break;
    case 'courier_door':
      out = typing ? [choice('*', 'choice.clear')] : f.overflowDoor ? [] : [choice('*', f.sharedDoor ? 'choice.noRoom' : 'choice.biggerDoor'), choice(DOOR_DID_NOT_OPEN_KEY, 'choice.doorDidNotOpen')];
      break;
    case 'resident_doors':
      out = typing ? [choice('*', 'choice.clear')] : [];
      break;
    default:
      out = (f.flowChoices ?? []).map((c) => choice(c.key, c.labelId, c.sequence));
  }
  return out.sort((a, b) => KEYS.indexOf(a.key) - KEYS.indexOf(b.key));
}

export function screenState(seq: number, at: number, f: ScreenFacts): ScreenState {
  return {
    seq,
    at,
    step: f.step,
    tone: f.tone,
    language: f.language,
    prompt: { id: f.prompt.id, params: { ...f.prompt.params }, text: formatMessage(f.language, f.prompt.id, f.prompt.params) },
    choices: choicesFor(f),
    doors: f.doors.map((d) => ({ ...d })),
    countdown: f.countdown ? { ...f.countdown } : null,
    entryLength: f.entryLength,
    attention: [
      ...f.leftOpen.map((compartmentId) => ({
        kind: 'door_left_open' as const,
        text: formatMessage(f.language, 'attention.doorLeftOpen', { door: compartmentId }),
        compartmentId,
        audience: 'everyone' as const,
      })),
      // Worded for staff and shown small: the locker works offline, a resident has nothing to fear.
      ...(f.upstreamOffline ? [{ kind: 'offline' as const, text: formatMessage(f.language, 'attention.upstreamOffline'), audience: 'staff' as const }] : []),
    ],
    ...(f.panel ? { panel: f.panel } : {}),
  };
}
