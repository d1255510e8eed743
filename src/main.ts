import type { App } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { resolveConfigPath } from './config/paths.js';
import { packageVersion } from './config/paths.js';
import { EXIT_USAGE, parseDaemonArgs } from './daemon-args.js';
import { storageInventory } from './locker/storage-inventory.js';
import { componentLogger, createLogger, stderrText } from './log.js';
import { checkConfig } from './systemd/check-config.js';
import { ledgerWriteProbe } from './systemd/ledger-probe.js';
import { Notifier, notifySupport, SDNOTIFY_FIX, serviceManagerEnv } from './systemd/notify.js';
import { runningStatus } from './systemd/status.js';
import { HealthWatchdog } from './systemd/watchdog.js';

/** Exit codes a technician (and systemd) can tell apart: sysexits.h where one fits. */
const EXIT_CONFIG = 78; // EX_CONFIG
const EXIT_DATA = 65; // EX_DATAERR
const EXIT_UNAVAILABLE = 69; // EX_UNAVAILABLE
const PRIORITY_ERR = 3;

/** How often the STATUS= line is refreshed (parcels waiting, upstream); sent only when it changed. */
const STATUS_REFRESH_MS = 15_000;

function runningStatusOf(app: App): string {
  // Parcels on a room's shelves or at a desk are waiting too.
  const s = storageInventory(app.ledger);
  return runningStatus({
    compartments: s.lockers.total,
    parcels: s.lockers.parcels + [...s.rooms, ...s.desks].reduce((n, a) => n + a.parcels, 0),
    upstreamConnected: app.config.mqtt.enabled ? app.sync.connected : null,
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const invocation = parseDaemonArgs(argv);
  if (invocation.kind === 'help') {
    process.stdout.write(invocation.text);
    return;
  }
  if (invocation.kind === 'version') {
    process.stdout.write(`lockerd ${packageVersion()}\n`);
    return;
  }
  if (invocation.kind === 'usage-error') {
    process.stderr.write(stderrText(`lockerd: ${invocation.message}; see lockerd --help\n`, PRIORITY_ERR));
    process.exit(EXIT_USAGE);
  }
  if (invocation.kind === 'check-config') {
    const r = checkConfig(invocation.file, argv, process.env);
    process.stdout.write(r.stdout);
    process.stderr.write(stderrText(r.stderr, PRIORITY_ERR));
    process.exit(r.code);
  }

  let config;
  let configPath;
  try {
    configPath = resolveConfigPath(argv, process.env);
    config = loadConfig(configPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(stderrText(`lockerd: cannot use the configuration, nothing was started:\n${err.message}\n`, PRIORITY_ERR));
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  // Loaded only now: `--check-config` (every start, as ExecStartPre=) needs none of it and answers in half the time.
  const [{ createApp, version }, { LedgerOpenError, SecretKeyError }, { ControlSocketError }] = await Promise.all([
    import('./app.js'),
    import('./ledger/ledger.js'),
    import('./control/server.js'),
  ]);
  const log = createLogger({ level: config.log.level });
  log.info({ config: configPath, kioskId: config.kioskId, version: version() }, 'lockerd starting');

  const serviceManager = serviceManagerEnv(process.env, process.pid);
  const notifier = new Notifier({
    env: serviceManager,
    onError: (error, message) => log.error({ error, message }, 'cannot send a message to systemd (NOTIFY_SOCKET)'),
  });
  const support = notifySupport();
  if (!support.available) {
    // Said once at start, under systemd or not (the same build fails once installed); `lockerctl selftest` says it again.
    const consequence = serviceManager.socket !== null ? 'systemd (Type=notify) stops lockerd at its start timeout' : 'run as lockerd.service (Type=notify), systemd would stop it at its start timeout';
    log.error({ reason: support.reason }, `cannot tell systemd that lockerd is ready or alive: ${consequence}; fix: ${SDNOTIFY_FIX}`);
  }
  notifier.status('starting: opening the ledger');
  // Opening may migrate a large ledger: the watchdog's period starts from this ping.
  if (serviceManager.watchdogMs !== null) notifier.watchdog();

  let app: App;
  let watchdog: HealthWatchdog | undefined;
  try {
    app = createApp(config, log, { controlSocket: true, underSystemd: serviceManager.socket !== null });
    if (serviceManager.watchdogMs !== null) {
      watchdog = new HealthWatchdog({ watchdogMs: serviceManager.watchdogMs, ping: () => void notifier.watchdog(), probe: ledgerWriteProbe(app.ledger.db), log: componentLogger(log, 'main') });
      watchdog.start();
    }
    notifier.status('starting: lock boards, inputs, control socket, screen');
    await app.start();
  } catch (err) {
    watchdog?.stop();
    if (err instanceof LedgerOpenError || err instanceof SecretKeyError) {
      notifier.status(`failed: ${err.message}`);
      log.fatal(err.message);
      process.exit(EXIT_DATA);
    }
    if (err instanceof ControlSocketError) {
      notifier.status(`failed: ${err.message}`);
      log.fatal(err.message);
      process.exit(EXIT_UNAVAILABLE);
    }
    throw err;
  }
  // The stop path is in place before anyone hears we are ready: a SIGTERM right after READY=1
  // (or right after the log line a test waits for) stops the daemon cleanly instead of killing it.
  let status = '';
  let refresh: NodeJS.Timeout | undefined;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'lockerd stopping');
    clearInterval(refresh);
    // The stop has its own limit (TimeoutStopSec=); the ledger closes during it, so pings end here.
    watchdog?.stop();
    notifier.stopping(`stopping (${signal}): finishing door operations, closing the ledger`);
    app
      .stop()
      .then(() => {
        log.info('lockerd stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  log.info({ socket: config.control.socketPath, ledger: config.ledger.path, compartments: config.compartments.length }, 'lockerd ready');
  // Ledger, drivers, control socket and screen are up (app.start() resolved): systemd may start what waits for us.
  status = runningStatusOf(app);
  notifier.ready(status);
  refresh = notifier.enabled
    ? setInterval(() => {
        const now = runningStatusOf(app);
        if (now !== status && notifier.status(now)) status = now;
      }, STATUS_REFRESH_MS).unref()
    : undefined;
}

main().catch((err: unknown) => {
  process.stderr.write(stderrText(`lockerd: failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`, PRIORITY_ERR));
  process.exit(1);
});
