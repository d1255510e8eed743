import { createApp, version } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { resolveConfigPath } from './config/paths.js';
import { LedgerOpenError, SecretKeyError } from './ledger/ledger.js';
import { ControlSocketError } from './control/server.js';
import { createLogger } from './log.js';

/** Exit codes a technician (and systemd) can tell apart: sysexits.h where one fits. */
const EXIT_CONFIG = 78; // EX_CONFIG
const EXIT_DATA = 65; // EX_DATAERR
const EXIT_UNAVAILABLE = 69; // EX_UNAVAILABLE

async function main(): Promise<void> {
  let config;
  let configPath;
  try {
    configPath = resolveConfigPath(process.argv.slice(2), process.env);
    config = loadConfig(configPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lockerd: cannot use the configuration, nothing was started:\n${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  const log = createLogger({ level: config.log.level });
  log.info({ config: configPath, kioskId: config.kioskId, version: version() }, 'lockerd starting');

  let app;
  try {
    app = createApp(config, log, { controlSocket: true });
    await app.start();
  } catch (err) {
    if (err instanceof LedgerOpenError || err instanceof SecretKeyError) {
      log.fatal(err.message);
      process.exit(EXIT_DATA);
    }
    if (err instanceof ControlSocketError) {
      log.fatal(err.message);
      process.exit(EXIT_UNAVAILABLE);
    }
    throw err;
  }
  log.info({ socket: config.control.socketPath, ledger: config.ledger.path, compartments: config.compartments.length }, 'lockerd ready');

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'lockerd stopping');
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
}

main().catch((err: unknown) => {
  process.stderr.write(`lockerd: failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
