import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { version } from '../app.js';
import { packageRoot } from '../config/paths.js';
import { renderAsyncApi } from './asyncapi.js';

/** `npm run contract`: writes docs/mqtt.asyncapi.yaml from the contract's schemas. */
const path = join(packageRoot(), 'docs', 'mqtt.asyncapi.yaml');
writeFileSync(path, renderAsyncApi(version()));
process.stdout.write(`wrote ${path}\n`);

