import { afterAll, beforeAll } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { run } from '../../src/cli/lockerctl.js';
import { captureLogger, tempDir, testConfig } from './fixtures.js';

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

export interface ControlApp {
  /** Set before the first test runs. */
  app: App;
  socket: string;
  /** lockerctl against it, in this process. */
  ctl: (...args: string[]) => Promise<CtlRun>;
}

/**
 * The locker app on a temporary directory (testConfig with `overrides`), serving its control
 * socket: started before the tests of the describe block it is called in, stopped after them.
 */
export function useControlApp(overrides: Parameters<typeof testConfig>[1] = {}): ControlApp {
  let cleanup = (): void => {};
  const t = { ctl: inProcessLockerctl(() => t.socket) } as ControlApp;
  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    const config = testConfig(dir, overrides);
    t.socket = config.control.socketPath;
    t.app = createApp(config, captureLogger().log, { controlSocket: true });
    await t.app.start();
  });
  afterAll(async () => {
    await t.app?.stop();
    cleanup();
  });
  return t;
}
