import type { LinkCheck } from '../../sync/check.js';
import { expectArgs, type CliCommand } from '../command.js';

/** Technician commands for the upstream link. */
export const upstreamCommands: CliCommand[] = [
  {
    words: ['mqtt', 'check'],
    usage: 'mqtt check',
    summary: "connect with the daemon's MQTT settings, round-trip a message, show latency and TLS",
    group: 'technician',
    description: "Connects to the broker with the daemon's own MQTT settings, sends a message to itself and waits for it: the connect time, the round trip, the protocol version and the TLS session and certificate.",
    examples: ['mqtt check'],
    // The daemon runs the check with the settings it runs with (src/control/commands/upstream.ts).
    request: (args) => (expectArgs(args, 0, 'mqtt check'), { command: 'mqtt.check', args: {} }),
    format: (result) => {
      const r = result as LinkCheck;
      const tls = r.tls ? `TLS ${r.tls.protocol} ${r.tls.cipher}, broker certificate ${r.tls.peerSubject ?? '?'} valid to ${r.tls.peerValidTo ?? '?'}` : 'no TLS (plain TCP)';
      return `broker ${r.url} (MQTT ${r.protocolVersion === 5 ? '5' : '3.1.1'}): connected in ${r.connectMs} ms, round trip ${r.roundTripMs} ms\n${tls}\n`;
    },
  },
];
