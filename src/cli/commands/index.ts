import type { CliCommand } from '../command.js';
import { climateCliCommands } from './climate.js';
import { coreCommands } from './core.js';
import { doorCommands } from './doors.js';
import { inputCliCommands } from './input.js';
import { parcelCliCommands } from './parcels.js';
import { reportCliCommands } from './report.js';
import { screenCliCommands } from './screen.js';
import { simNoticeCliCommands } from './sim-notices.js';
import { storageCliCommands } from './storage.js';
import { throttleCliCommands } from './throttle.js';
import { toolCommands } from './tools.js';
import { upstreamCommands } from './upstream.js';

/** Every lockerctl command. Each feature keeps its commands in its own file and lists them here. */
export const COMMANDS: CliCommand[] = [...coreCommands, ...doorCommands, ...inputCliCommands, ...upstreamCommands, ...throttleCliCommands, ...screenCliCommands, ...parcelCliCommands, ...reportCliCommands, ...storageCliCommands, ...simNoticeCliCommands, ...climateCliCommands, ...toolCommands];
