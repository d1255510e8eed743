/**
 * Picks the GPIO backend the running kernel offers: the character device through the libgpiod
 * tools when /dev/gpiochip* exists and the tools are installed (the supported interface), else
 * sysfs when /sys/class/gpio has its export file, else none, with the reason.
 */
import { access, constants, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface GpioProbe {
  devDir?: string;
  sysfsRoot?: string;
  toolsDir?: string;
}

export type GpioChoice = { backend: 'gpiod' | 'sysfs'; reason: string } | { backend: null; reason: string };

export async function chooseGpioBackend(probe: GpioProbe = {}): Promise<GpioChoice> {
  const devDir = probe.devDir ?? '/dev';
  const sysfsRoot = probe.sysfsRoot ?? '/sys/class/gpio';
  const toolsDir = probe.toolsDir ?? '/usr/bin';
  const chardevs = await readdir(devDir).then((e) => e.filter((n) => /^gpiochip\d+$/.test(n)), () => [] as string[]);
  const tools = await access(join(toolsDir, 'gpioget'), constants.X_OK).then(() => true, () => false);
  const sysfs = await access(join(sysfsRoot, 'export'), constants.F_OK).then(() => true, () => false);
  if (chardevs.length > 0 && tools) return { backend: 'gpiod', reason: `${join(devDir, chardevs[0]!)} and the libgpiod tools in ${toolsDir}` };
  if (sysfs) return { backend: 'sysfs', reason: `${sysfsRoot}/export${chardevs.length > 0 ? ` (the character device exists too, but the libgpiod tools are not in ${toolsDir}: apt-get install gpiod)` : ''}` };
  if (chardevs.length > 0) return { backend: null, reason: `${join(devDir, chardevs[0]!)} exists but the libgpiod tools are not in ${toolsDir} (apt-get install gpiod), and there is no ${sysfsRoot}` };
  return { backend: null, reason: `this machine has neither /dev/gpiochip* nor ${sysfsRoot}` };
}
