import { run } from '../../src/cli/lockerctl.js';

export interface CtlRun {
  code: number;
  out: string;
  err: string;
}

/**
 * lockerctl's own `run()` in this process against a control socket (given late: tests open it in
 * beforeAll), with stdout and stderr captured: what a technician would see, and the exit status.
 */
export function inProcessLockerctl(socket: () => string): (...args: string[]) => Promise<CtlRun> {
  return async (...args) => {
    let out = '';
    let err = '';
    const code = await run(['--socket', socket(), ...args], (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  };
}
