import type { LockerService } from '../../locker/locker-service.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';

const MAX_REASON = 200;

/** `throttle.status` and `throttle.reset`: the guessing throttle for technicians (docs/security.md). */
export function throttleCommands(ctx: { locker: LockerService }): Map<string, CommandHandler> {
  const handlers = new Map<string, CommandHandler>();

  handlers.set('throttle.status', () => ctx.locker.throttleStatus());

  handlers.set('throttle.reset', (args, { actor }) => {
    const reason = typeof args.reason === 'string' ? args.reason.trim() : '';
    if (reason === '') throw new CommandError('a throttle reset needs a reason (it goes into the audit trail and upstream)', 'usage');
    if (reason.length > MAX_REASON) throw new CommandError(`the reason is longer than ${MAX_REASON} characters`, 'usage');
    const result = ctx.locker.resetThrottle(reason, actor);
    if (!result) throw new CommandError('the keypad throttle holds no failures and no alarm: nothing to reset', 'refused');
    return result;
  });

  return handlers;
}
