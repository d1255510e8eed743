#!/usr/bin/env node
// Entry point for `npx lockerctl` and the installed `lockerctl`: runs the compiled CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli/lockerctl-main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('lockerctl: lockerd is not built yet; run: npm run build\n');
  process.exit(1);
}
await import(cli.href);
