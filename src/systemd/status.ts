/** The STATUS= line `systemctl status lockerd` shows while the daemon runs: pure, facts in, text out. */

export interface RunningFacts {
  compartments: number;
  /** Parcels inside the locker (deliveries waiting for pickup, returns waiting for a carrier). */
  parcels: number;
  /** null when upstream is disabled in the config. */
  upstreamConnected: boolean | null;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export function runningStatus(f: RunningFacts): string {
  const upstream = f.upstreamConnected === null ? 'upstream disabled' : f.upstreamConnected ? 'upstream online' : 'upstream offline';
  return `ready: ${plural(f.compartments, 'compartment', 'compartments')}, ${plural(f.parcels, 'parcel', 'parcels')} waiting, ${upstream}`;
}
