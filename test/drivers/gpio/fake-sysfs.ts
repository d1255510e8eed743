/**
 * A fake /sys/class/gpio in a temp dir, with a tiny "kernel" that reacts to writes to `export`
 * and `unexport` the way the real one does (a gpioN directory appears or goes). Only numbers
 * inside a chip's [base, base + ngpio) are exported; anything else is ignored, as the real
 * kernel refuses it with EINVAL.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FakeChip {
  name: string;
  label: string;
  base: number;
  ngpio: number;
}

export const PI4_CHIPS: FakeChip[] = [
  { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 },
  { name: 'gpiochip570', label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 },
];

export class FakeSysfs {
  readonly exports: number[] = [];
  readonly unexports: number[] = [];
  readonly refused: number[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly root: string,
    readonly chips: FakeChip[] = PI4_CHIPS,
  ) {
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'export'), '');
    writeFileSync(join(root, 'unexport'), '');
    for (const c of chips) {
      mkdirSync(join(root, c.name));
      writeFileSync(join(root, c.name, 'base'), `${c.base}\n`);
      writeFileSync(join(root, c.name, 'label'), `${c.label}\n`);
      writeFileSync(join(root, c.name, 'ngpio'), `${c.ngpio}\n`);
    }
    this.#timer = setInterval(() => this.#tick(), 3);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  dir(n: number): string {
    return join(this.root, `gpio${n}`);
  }

  /** Pre-exports a line, as another program (or a crashed daemon) would have. */
  exportNow(n: number): void {
    mkdirSync(this.dir(n));
    for (const [f, v] of [['direction', 'in'], ['value', '0'], ['active_low', '0'], ['edge', 'none']]) writeFileSync(join(this.dir(n), f!), `${v}\n`);
  }

  file(n: number, f: 'direction' | 'value' | 'active_low'): string {
    return readFileSync(join(this.dir(n), f), 'utf8').trim();
  }

  /** Wiring: sets the physical level of a line. */
  setLevel(n: number, level: boolean): void {
    writeFileSync(join(this.dir(n), 'value'), level ? '1\n' : '0\n');
  }

  exported(n: number): boolean {
    return existsSync(this.dir(n));
  }

  #tick(): void {
    const take = (f: string): number | undefined => {
      const p = join(this.root, f);
      let t = '';
      try {
        t = readFileSync(p, 'utf8').trim();
      } catch {
        return undefined;
      }
      if (t === '') return undefined;
      writeFileSync(p, '');
      return Number(t);
    };
    const e = take('export');
    if (e !== undefined) {
      const valid = this.chips.some((c) => e >= c.base && e < c.base + c.ngpio);
      if (!valid || this.exported(e)) this.refused.push(e);
      else {
        this.exports.push(e);
        this.exportNow(e);
      }
    }
    const u = take('unexport');
    if (u !== undefined) {
      this.unexports.push(u);
      rmSync(this.dir(u), { recursive: true, force: true });
    }
  }
}
