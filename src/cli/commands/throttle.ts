import { expectArgs, UsageError, type CliCommand } from '../command.js';

interface Budget { waitMs: number; suspected: boolean; failuresLastHour: number; failuresLastDay: number }
export type ThrottleView = { code: Budget; pin: Budget };

/** One line per budget, e.g. `codes: wait 42 s; 12 wrong in 24 h (3 in the last hour); GUESSING SUSPECTED`. */
export function describeThrottle(t: ThrottleView): string[] {
  return (['code', 'pin'] as const).map((kind) => {
    const b = t[kind];
    const parts = [b.waitMs > 0 ? `wait ${Math.ceil(b.waitMs / 1000)} s before the next check` : 'no wait', `${b.failuresLastDay} wrong in 24 h (${b.failuresLastHour} in the last hour)`];
    if (b.suspected) parts.push('GUESSING SUSPECTED: each wrong entry makes everyone wait; lockerctl throttle reset --reason TEXT clears it');
    return `${kind === 'code' ? 'codes' : 'PINs'}: ${parts.join('; ')}`;
  });
}

/** The guessing throttle: its state per budget, and the technician's reset. */
export const throttleCliCommands: CliCommand[] = [
  {
    words: ['throttle', 'status'],
    usage: 'throttle status',
    summary: 'the keypad guessing throttle: waits, wrong entries and the alarm, for codes and for PINs',
    group: 'technician',
    description: 'The keypad guessing throttle, for retrieval codes and for courier PINs: the wait before the next check, the wrong entries in the last hour and day, and whether guessing is suspected.',
    examples: ['throttle status'],
    request: (args) => (expectArgs(args, 0, 'throttle status'), { command: 'throttle.status', args: {} }),
    format: (result) => `${describeThrottle(result as ThrottleView).join('\n')}\n`,
  },
  {
    words: ['throttle', 'reset'],
    usage: 'throttle reset --reason TEXT',
    summary: 'clear the guessing throttle and its alarm regime (audited, sent upstream; earlier alarms stay on record)',
    group: 'technician',
    description: 'Clears the guessing throttle and its alarm regime for codes and PINs, audited and sent upstream with the reason; earlier alarms stay on record. Prints what it held.',
    examples: ['throttle reset --reason "checked the camera: a child playing"'],
    flags: [{ name: '--reason', value: true, arg: 'TEXT', help: 'why, for the audit trail' }],
    request: (args, flags) => {
      expectArgs(args, 0, 'throttle reset --reason TEXT');
      if (typeof flags['--reason'] !== 'string' || flags['--reason'].trim() === '') throw new UsageError('throttle reset needs --reason TEXT (it goes into the audit trail and upstream)');
      return { command: 'throttle.reset', args: { reason: flags['--reason'] } };
    },
    format: (result) => {
      const r = result as { cleared: ThrottleView };
      return `throttle reset; it held:\n${describeThrottle(r.cleared).map((l) => `  ${l}`).join('\n')}\n`;
    },
  },
];
