import type { SimNotices } from '../../control/commands/sim-notices.js';
import { expectArgs, type CliCommand } from '../command.js';

/** A code as a notice prints it: groups of four, easier to read back (the keypad takes the digits alone). */
function grouped(code: string): string {
  return code.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** What the demo would have texted each resident with a parcel waiting (simulated lockers only). */
export const simNoticeCliCommands: CliCommand[] = [
  {
    words: ['sim', 'notices'],
    usage: 'sim notices',
    summary: 'the text each waiting resident would have got (code, QR); audited',
    group: 'simulator',
    description:
      'For each parcel waiting on a simulated locker, the notice upstream would have texted its resident: the compartment, the carrier, the retrieval code and the pickup QR, and the keys to type as that resident. Each call writes an audit row, like every reveal of a code. Refused on a locker with real lock boards.',
    examples: ['sim notices'],
    request: (args) => (expectArgs(args, 0, 'sim notices'), { command: 'sim.notices', args: {} }),
    format: (result) => {
      const { notices, note } = result as SimNotices;
      if (notices.length === 0) return 'no parcel is waiting for a resident\n';
      const lines = notices.map((n) => {
        const what = [n.carrier, n.tracking].filter((x) => x !== null).join(' ');
        const where = n.placeId ? `on ${n.placeId} in ${n.compartmentId}` : `in ${n.compartmentId}`;
        const head = `to unit ${n.unit}: parcel ${where}${what ? ` (${what})` : ''}`;
        if (n.code === null) return `${head}, code no longer held (code id ${n.codeId})\n`;
        return `${head}, code ${grouped(n.code)}${n.pickupQr ? `, QR ${n.pickupQr}` : ''}\n  key it: npx lockerctl sim keys ${n.code}#\n`;
      });
      return lines.join('') + (note ? `(${note})\n` : '');
    },
  },
];
