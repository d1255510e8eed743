/**
 * The page's static files, read once at start into memory. Only the files found in the static
 * folder then can ever be served: a request names a key of this map or gets a 404, so no path,
 * encoded or not, reaches the file system.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { packageRoot } from '../config/paths.js';

export interface StaticFile {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Bounds a mistake (a stray big file in the folder), not an attack: the folder is ours. */
const MAX_FILES = 64;
const MAX_FILE_BYTES = 1024 * 1024;

/** The folder the page is served from: src/screen/static in the package (tsc does not copy it to dist/). */
export function staticDir(): string {
  return join(packageRoot(), 'src', 'screen', 'static');
}

/** `/name` → file, for the files directly in `dir` with a known type; `/` is index.html. */
export function loadStaticFiles(dir: string = staticDir()): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir).sort()) {
    const type = TYPES[extname(name)];
    if (!type || !/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name)) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) continue;
    if (files.size >= MAX_FILES) break;
    files.set(`/${name}`, { body: readFileSync(path), type });
  }
  const index = files.get('/index.html');
  if (!index) throw new Error(`the screen page is missing: no index.html in ${dir}`);
  files.set('/', index);
  return files;
}
