/**
 * `lockerctl mqtt check` runs here, in the daemon: with the settings the daemon loaded (not
 * whichever config file lockerctl would find, which may describe another broker), from the
 * daemon's user (who can read the TLS key) and over its network. No setting goes back to the
 * client, only what the check found (the URL without credentials).
 */
import type { LockerdConfig } from '../../config/types.js';
import { checkLink, type LinkCheck } from '../../sync/check.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';

export interface UpstreamControlContext {
  config: LockerdConfig;
  /** The check itself (tests may time it); default: a real connection. */
  check?: (config: LockerdConfig) => Promise<LinkCheck>;
}

export function upstreamCommands(ctx: UpstreamControlContext): Map<string, CommandHandler> {
  const check = ctx.check ?? ((config: LockerdConfig) => checkLink(config));
  let running = false;
  return new Map<string, CommandHandler>([
    [
      'mqtt.check',
      async () => {
        // One at a time: each holds a broker connection for up to its timeouts.
        if (running) throw new CommandError('a link check is already running; wait for its answer and try again', 'unavailable');
        running = true;
        try {
          return await check(ctx.config);
        } catch (err) {
          // The broker could not be reached or refused the link: the check's own finding.
          throw new CommandError((err as Error).message, 'unavailable');
        } finally {
          running = false;
        }
      },
    ],
  ]);
}
