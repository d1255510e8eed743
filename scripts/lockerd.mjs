#!/usr/bin/env node
// Entry point for the installed daemon (systemd runs this): the compiled main.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('lockerd: not built yet; run: npm run build\n');
  process.exit(1);
}
await import(main.href);
