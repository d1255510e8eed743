import type { LockerdConfig } from '../../config/types.js';
import type { ScreenServer } from '../../screen/server.js';
import { CommandError } from '../protocol.js';
import type { CommandHandler } from '../server.js';

export interface ScreenUrl {
  url: string;
  listening: boolean;
  clients: number;
  droppedClients: number;
}

/** `screen.url`: where the kiosk screen's page is (the Chromium kiosk unit opens it). */
export function screenCommands(ctx: { config: LockerdConfig; screen: ScreenServer | undefined }): Map<string, CommandHandler> {
  const handlers = new Map<string, CommandHandler>();
  handlers.set('screen.url', (): ScreenUrl => {
    const s = ctx.screen;
    if (!s) throw new CommandError('the screen page is off (screen.enabled is false in the config); set it to true and restart lockerd', 'unavailable');
    return { url: s.url, listening: s.listening, clients: s.clients, droppedClients: s.droppedClients };
  });
  return handlers;
}
