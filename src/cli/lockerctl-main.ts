import { run } from './lockerctl.js';

run(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lockerctl: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
