import type { ScreenUrl } from '../../control/commands/screen.js';
import { expectArgs, type CliCommand } from '../command.js';

/** The kiosk screen's page. */
export const screenCliCommands: CliCommand[] = [
  {
    words: ['screen', 'url'],
    usage: 'screen url',
    summary: "the URL of the kiosk screen's page (what the Chromium kiosk opens)",
    group: 'technician',
    description: "The URL of the kiosk screen's page, alone on stdout, so chromium --kiosk \"$(lockerctl screen url)\" works; says so when the page is not listening yet.",
    examples: ['screen url'],
    request: (args) => (expectArgs(args, 0, 'screen url'), { command: 'screen.url', args: {} }),
    // The bare URL on stdout, so `chromium --kiosk "$(lockerctl screen url)"` works; the rest on stderr would be noise.
    format: (result) => {
      const r = result as ScreenUrl;
      return r.listening ? `${r.url}\n` : `${r.url}\n(not listening yet: see the daemon's log for why)\n`;
    },
  },
];
