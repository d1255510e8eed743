/**
 * `sim.scan`, `sim.keys`, `sim.door`: a technician drives the simulated scanner, keypad and doors
 * that the config asks for, and reads what the kiosk said meanwhile.
 */
import type { Key } from '../../../drivers/contracts.js';
import { KEYS } from '../../../drivers/contracts.js';
import type { SimInput } from '../../../drivers/sim/input.js';
import type { SimLockBoards } from '../../../drivers/sim/lock-boards.js';
import type { ScreenState } from '../../kiosk/screen.js';
import type { Display } from '../../kiosk/session.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';
import { compartmentArg, str } from './args.js';
import { recordAudit, type DaemonContext } from './context.js';

const MAX_SIM_KEYS = 256;
/** `lockerctl sim sign` without a path: a wave across the pad, enough to pass the checks. */
export const DEMO_SIGNATURE = 'M100 150l40 -60 40 120 40 -120 40 120 40 -120 40 120 40 -60M520 200l80 -10 80 -20 80 -30';
/** Screen states one sim command returns at most (the newest). */
const MAX_SIM_SCREENS = 32;

export interface SimAnswer {
  displays: Display[];
  screens: ScreenState[];
  screensDropped: number;
  state: string;
}

export function simCommands(ctx: DaemonContext): Map<string, CommandHandler> {
  const { kiosk, locker, sim } = ctx.daemon;
  const handlers = new Map<string, CommandHandler>();

  /** The simulated keypad or scanner, or a refusal naming the config key that would create it. */
  const requireSimInput = (kind: 'keypad' | 'scanner'): SimInput => {
    const device = sim[kind];
    if (!device) {
      throw new CommandError(
        `this locker has no simulated ${kind}: "sim ${kind === 'keypad' ? 'keys' : 'scan'}" needs simulator.${kind}: true in the config (for a demo or test locker only: it lets anyone who may use lockerctl type at the kiosk)`,
        'unavailable',
      );
    }
    return device;
  };

  const requireSimBoards = (): SimLockBoards => {
    if (!sim.boards) throw new CommandError('this locker has no simulated lock boards: "sim door" needs a config with a bus of type "sim" (use the lock-board simulator\'s own controls for an RS-485 bus)', 'unavailable');
    return sim.boards;
  };

  /**
   * Runs a simulated action and returns what the kiosk said meanwhile (`displays`), the screen
   * states it showed (`screens`: the last MAX_SIM_SCREENS of them) and the state it ended in.
   */
  const withDisplays = async (action: () => void | Promise<void>): Promise<SimAnswer> => {
    const displays: Display[] = [];
    const screens: ScreenState[] = [];
    let screensDropped = 0;
    const onDisplay = (d: Display): void => {
      displays.push(d);
    };
    const onScreen = (s: ScreenState): void => {
      screens.push(s);
      // 256 keys make 256 states: the answer keeps the newest, the last one is what a technician reads.
      if (screens.length > MAX_SIM_SCREENS) {
        screens.shift();
        screensDropped++;
      }
    };
    kiosk.on('display', onDisplay);
    kiosk.on('screen', onScreen);
    try {
      await action();
      // Door events are handled synchronously; the kiosk reacts through its queue.
      await new Promise((r) => setImmediate(r));
      await kiosk.idle();
    } finally {
      kiosk.off('display', onDisplay);
      kiosk.off('screen', onScreen);
    }
    return { displays, screens, screensDropped, state: kiosk.state };
  };

  handlers.set('sim.scan', async (args, { actor }) => {
    const scanner = requireSimInput('scanner');
    const text = str(args, 'text', 100_000);
    // Who scanned and how much, never what: the text may be a pickup QR.
    recordAudit(ctx, actor, 'sim.scanned', { length: text.length });
    return withDisplays(() => {
      scanner.scan(text);
    });
  });

  handlers.set('sim.keys', async (args, { actor }) => {
    const keypad = requireSimInput('keypad');
    const keys = str(args, 'keys', MAX_SIM_KEYS);
    const bad = [...new Set([...keys].filter((k) => !KEYS.includes(k as Key)))].map((k) => JSON.stringify(k));
    if (bad.length > 0) {
      locker.recordRefusal(actor, 'sim.keys_refused', { badKeys: bad.slice(0, 8) });
      throw new CommandError(`not on the keypad: ${bad.join(', ')} (keys are 0-9 * # A B C D); nothing was pressed`, 'usage');
    }
    // Who typed and how many keys, never which: they may be a resident's code.
    recordAudit(ctx, actor, 'sim.keys_pressed', { keys: keys.length });
    return withDisplays(() => {
      for (const k of keys) keypad.press(k as Key);
    });
  });

  handlers.set('sim.sign', async (args, { actor }) => {
    requireSimInput('keypad');
    const given = args.path;
    if (given !== undefined && typeof given !== 'string') throw new CommandError('path must be text: SVG path data such as "M100 150l40 -60 40 120"', 'usage');
    const path = given ?? DEMO_SIGNATURE;
    if (kiosk.state !== 'desk_sign') throw new CommandError(`no signature is asked for now (the kiosk is at ${kiosk.state}): at a front desk, staff look the resident's code up and press # first`, 'refused');
    // How long, never what: a signature is personal data, kept in the ledger only.
    recordAudit(ctx, actor, 'sim.signed', { length: path.length });
    return withDisplays(() => kiosk.sign({ path }));
  });

  handlers.set('sim.door', async (args, { actor }) => {
    const boards = requireSimBoards();
    const id = str(args, 'compartment', 64);
    const action = str(args, 'action', 16);
    if (action !== 'open' && action !== 'close') throw new CommandError(`door action must be "open" or "close", not "${action}"`, 'usage');
    const compartment = compartmentArg(ctx.ledger, args);
    let changed = false;
    recordAudit(ctx, actor, 'sim.door_set', { door: action === 'open' ? 'open' : 'closed' }, id);
    const result = await withDisplays(() => {
      changed = boards.setDoor(compartment, action === 'open').changed;
    });
    return { compartment: id, door: action === 'open' ? 'open' : 'closed', changed, ...result };
  });

  return handlers;
}
