import { loadConfig } from '../../config/load.js';
import { resolveConfigPath } from '../../config/paths.js';
import { checkLink, type LinkCheck } from '../../sync/check.js';
import { ControlClientError } from '../../control/client.js';
import { expectArgs, type CliCommand } from '../command.js';

/** Technician commands for the upstream link. */
export const upstreamCommands: CliCommand[] = [
  {
    words: ['mqtt', 'check'],
    usage: 'mqtt check',
    summary: "connect with the daemon's MQTT settings, round-trip a message, show latency and TLS",
    local: async (args, flags) => {
      expectArgs(args, 0, 'mqtt check');
      const config = loadConfig(resolveConfigPath(typeof flags['--config'] === 'string' ? ['--config', flags['--config']] : [], process.env));
      try {
        return await checkLink(config);
      } catch (err) {
        throw new ControlClientError((err as Error).message);
      }
    },
    format: (result) => {
      const r = result as LinkCheck;
      const tls = r.tls ? `TLS ${r.tls.protocol} ${r.tls.cipher}, broker certificate ${r.tls.peerSubject ?? '?'} valid to ${r.tls.peerValidTo ?? '?'}` : 'no TLS (plain TCP)';
      return `broker ${r.url} (MQTT ${r.protocolVersion === 5 ? '5' : '3.1.1'}): connected in ${r.connectMs} ms, round trip ${r.roundTripMs} ms\n${tls}\n`;
    },
  },
];
