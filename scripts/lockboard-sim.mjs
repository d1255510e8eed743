#!/usr/bin/env node
// Simulated lock boards of one family on a pseudo-terminal, for the real daemon and for demos:
//   scripts/lockboard-sim.mjs --protocol kerong-cu16 --boards 2 --link /tmp/lockbus
// then point an "rs485" bus of lockerd at /tmp/lockbus. `--help` lists options and commands.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/drivers/lockboard/sim/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('lockboard-sim: lockerd is not built yet; run: npm run build\n');
  process.exit(1);
}
const { main } = await import(cli.href);
await main(process.argv.slice(2));
