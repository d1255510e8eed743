import type { DoorHardware, InputDevice } from '../drivers/contracts.js';
import { SimInput } from '../drivers/sim/input.js';
import { packageVersion } from './config/paths.js';
import type { LockerdConfig } from './config/types.js';
import { controlCommands } from './control/commands/index.js';
import { ControlServer } from './control/server.js';
import { buildHardware, type SimHardware } from './hardware/index.js';
import { ClimateUnit } from './cabinet/climate.js';
import { buildClimateHardware } from './hardware/cabinet.js';
import { gpioBackend, InputRouter } from './hardware/inputs.js';
import { DailyReportUnit } from './reports/daily.js';
import { KioskSignalsUnit } from './kiosk/signals.js';
import { KioskSession } from './kiosk/session.js';
import { ReturnsFlow } from './kiosk/flows/returns.js';
import { StaffFlow } from './kiosk/flows/staff.js';
import { DeskFlow } from './kiosk/flows/desk.js';
import { stationDesk } from './locker/desk.js';
import { RoomFlow } from './kiosk/flows/room.js';
import { UpstreamNoticeWatch } from './kiosk/upstream-notice.js';
import { CLOCK_BACK_TOLERANCE_MS } from './ledger/audit.js';
import { Ledger } from './ledger/ledger.js';
import { LockerAdministration } from './locker/administration.js';
import { applyConfig } from './locker/apply-config.js';
import { LockerService } from './locker/locker-service.js';
import { recordInputMuted, recordInputUnmuted } from './locker/refusals.js';
import { componentLogger, type Logger } from './log.js';
import { SyncService } from './sync/sync-service.js';
import { ScreenInput } from './screen/input.js';
import { lockerMap, storageCount } from './screen/layout.js';
import { ScreenServer } from './screen/server.js';

export interface App {
  config: LockerdConfig;
  ledger: Ledger;
  locker: LockerService;
  kiosk: KioskSession;
  doors: DoorHardware;
  sim: SimHardware;
  sync: SyncService;
  /** Every input device's way to the kiosk (mutes a flooding one). */
  router: InputRouter;
  /** The touch page on the kiosk's screen, when `screen.enabled`. */
  screen: ScreenServer | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppOptions {
  /** Serve the control socket (the daemon does; in-process tests may not need it). */
  controlSocket?: boolean;
  now?: () => number;
  /** The guessing throttle's monotonic clock (default performance.now()); tests give each simulated boot its own. */
  monotonic?: () => number;
  /** Whether systemd listens for sd_notify ($NOTIFY_SOCKET set): `lockerctl selftest` says so. */
  underSystemd?: boolean;
}

/** lockerd's version (package.json). */
export const version = packageVersion;

/**
 * The kiosk's input path: every device's input through the router, which mutes a device that
 * floods (recorded in the ledger and sent upstream), to the kiosk. Simulated devices are typed by
 * a technician through the group-gated control socket and are not muted (tests and benchmarks
 * drive them at machine speed); refusal windows and the log budget bound them all the same.
 */
export function routeInputs(o: { inputs: readonly InputDevice[]; kiosk: KioskSession; ledger: Ledger; config: LockerdConfig; log: Logger; now: () => number }): InputRouter {
  return new InputRouter(o.inputs, (i) => void o.kiosk.handle(i), {
    flood: o.config.flood, now: o.now, log: o.log,
    exempt: (device) => device instanceof SimInput,
    onMuted: (m) => recordInputMuted(o.ledger, o.now(), m),
    onUnmuted: (u) => recordInputUnmuted(o.ledger, o.now(), u),
  });
}

/** The screen as a keypad: it takes keys only while a page is connected to it. */
function screenStatus(screen: ScreenServer | undefined): { online: boolean; detail: string } {
  if (!screen?.listening) return { online: false, detail: `the touch page is not served (see the log; ${screen?.url ?? 'screen.enabled'})` };
  if (screen.clients === 0) return { online: false, detail: `no screen shows the page at ${screen.url} (is the Chromium kiosk running? systemctl status lockerd-screen)` };
  return { online: true, detail: `${screen.url}, ${screen.clients} screen(s) connected` };
}

/** Wires the ledger, the hardware, the locker rules, the kiosk and the control socket. */
export function createApp(config: LockerdConfig, log: Logger, options: AppOptions = {}): App {
  const now = options.now ?? Date.now;
  const ledgerLog = componentLogger(log, 'ledger');
  const ledger = Ledger.open({ path: config.ledger.path, keyFile: config.ledger.keyFile, onNotice: (msg, detail) => ledgerLog.info(detail, msg) });
  try {
    const latest = ledger.audit.latestAt();
    if (latest !== null && latest - now() > CLOCK_BACK_TOLERANCE_MS) {
      // Said once at start, where a technician looks first; the self-test and the command inbox say it again.
      ledgerLog.error(
        { clock: new Date(now()).toISOString(), ledgerLatest: new Date(latest).toISOString() },
        'the clock is behind the ledger (it went back: no RTC, no NTP?): remote commands are refused and hold times are off until it is right',
      );
    }
    applyConfig(ledger, config, now());
    const { doors, sim, inputs: hardwareInputs, gpio: kioskGpio } = buildHardware(config, log);
    // The touch screen is one more keypad: its taps take the router's path (flood mute included).
    const screenInput: ScreenInput | undefined = config.screen.enabled ? new ScreenInput(() => screenStatus(screen)) : undefined;
    const inputs = screenInput ? [...hardwareInputs, screenInput] : hardwareInputs;
    const locker = new LockerService({ ledger, doors, config, log: componentLogger(log, 'locker'), now, monotonic: options.monotonic });
    const kiosk = new KioskSession({ locker, config, log: componentLogger(log, 'kiosk'), now, flows: [new DeskFlow(stationDesk(config)), new StaffFlow(), new ReturnsFlow(locker, config.storage === 'lockers'), new RoomFlow(config)] });
    const inputLog = componentLogger(log, 'input');
    const router = routeInputs({ inputs, kiosk, ledger, config, log: inputLog, now });
    // Power loss: recorded and checkpointed by the unit, then the daemon stops through its SIGTERM path.
    const signals = new KioskSignalsUnit({ ledger, kiosk, signals: kioskGpio, feedback: kioskGpio, log: componentLogger(log, 'kiosk'), now, requestShutdown: () => process.kill(process.pid, 'SIGTERM') });
    // The outdoor cabinet's climate: its heater and fan share the kiosk's GPIO backend (one sim, one chip).
    const climate = new ClimateUnit({ config: config.cabinet, ledger, log: componentLogger(log, 'cabinet'), now, hardware: () => buildClimateHardware(config.cabinet, gpioBackend(config), now) });
    const startedAt = now();
    const admin = new LockerAdministration(ledger, config, now);
    const sync = new SyncService({ config, ledger, locker, admin, doors, log: componentLogger(log, 'sync'), version: version(), startedAt, now });
    const upstreamNotice = new UpstreamNoticeWatch({ enabled: config.mqtt.enabled, connected: () => sync.connected, show: (offline) => void kiosk.setUpstreamOffline(offline), now });
    const map = lockerMap(config);
    const screen: ScreenServer | undefined = screenInput
      ? new ScreenServer({
          host: config.screen.host, port: config.screen.port, source: kiosk, input: screenInput, log: componentLogger(log, 'screen'),
          hello: () => ({ name: config.screen.name, support: config.screen.support ?? null, kioskId: config.kioskId, map, storage: storageCount(config) }),
          refuse: (reason) => locker.recordRefusal('screen', 'screen.key_refused', { reason }),
          // Only a desk asks for signatures: elsewhere the route does not exist.
          ...(config.storage === 'desk' ? { sign: (strokes: unknown[]) => void kiosk.sign({ strokes }) } : {}),
        })
      : undefined;
    const commands = controlCommands({
      config, ledger, now, expiredParcels: (limit) => locker.expiredParcels(limit),
      daemon: { locker, admin, kiosk, doors, sim, sync, router, gpio: kioskGpio, climate, screen, startedAt, version: version(), underSystemd: options.underSystemd ?? false },
    });
    const dailyReport = new DailyReportUnit({ ledger, kioskId: config.kioskId, now, log: componentLogger(log, 'reports'), station: config.storage });
    const control = options.controlSocket ? new ControlServer(config.control.socketPath, commands, componentLogger(log, 'control'), config.control.group) : undefined;

    return {
      config, ledger, locker, kiosk, doors, sim, sync, router, screen,
      async start() {
        await doors.start();
        await locker.start();
        for (const input of inputs) {
          await input.start().catch((err: unknown) => inputLog.error({ err, device: input.name }, 'input device failed to start; the kiosk works without it'));
        }
        await signals.start().catch((err: unknown) => inputLog.error({ err }, 'cabinet signals failed to start; the kiosk works without them'));
        await climate.start().catch((err: unknown) => log.error({ err }, 'the cabinet climate watch failed to start; the locker works without it'));
        await control?.start();
        await screen?.start();
        await sync.start();
        upstreamNotice.start();
        dailyReport.start();
      },
      async stop() {
        dailyReport.stop();
        upstreamNotice.stop();
        await screen?.stop();
        await control?.stop();
        await sync.stop();
        await signals.stop().catch(() => undefined);
        await climate.stop().catch(() => undefined);
        router.stop();
        for (const input of inputs) await input.stop();
        kiosk.stop();
        locker.stop();
        await doors.stop();
        ledger.close();
      },
    };
  } catch (err) {
    ledger.close();
    throw err;
  }
}
