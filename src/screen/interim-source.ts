// INTERIM, removed when the screen model (branch screen-model) is merged: a ScreenState built
// from the kiosk's display sentences, only so the page can be developed before the model lands.
import { EventEmitter } from 'node:events';
import type { ScreenState, ScreenStep } from '../kiosk/screen.js';
import type { KioskSession } from '../kiosk/session.js';
import type { ScreenSource } from './server.js';

export function interimSource(kiosk: KioskSession): ScreenSource {
  const e = new EventEmitter();
  let seq = 0;
  let last: ScreenState | undefined;
  const make = (text: string, tone: ScreenState['tone']): ScreenState => {
    const m = /Door (\w+)/.exec(text);
    const step = (kiosk.state === 'idle' ? 'welcome' : kiosk.state) as ScreenStep;
    return {
      seq: ++seq, at: Date.now(), step, tone, language: 'en', prompt: { id: 'x', params: {}, text }, choices: [],
      doors: m ? [{ compartmentId: m[1]!, state: 'open' }] : [], countdown: null, entryLength: 0, attention: [],
    };
  };
  last = make('Residents: key your code and press #. Couriers: key your PIN and press #.', 'info');
  kiosk.on('display', (d) => {
    last = make(d.text, d.tone);
    e.emit('screen', last);
  });
  return {
    get lastScreen() { return last; },
    on: (ev, l) => e.on(ev, l),
    off: (ev, l) => e.off(ev, l),
  };
}
