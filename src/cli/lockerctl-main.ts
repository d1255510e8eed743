import { run } from './lockerctl.js';

// `lockerctl export --format csv | head`: the reader went away; stop quietly as Unix tools do
// (closing the socket also stops the daemon's side of the stream), not with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

run(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lockerctl: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 70; // EX_SOFTWARE: a fault in lockerctl itself
  },
);
