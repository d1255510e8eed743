import type { TopicLeaf } from './contract.js';

/** `<prefix>/<kioskId>/<leaf>`: at most 7 levels, as every supported broker carries. */
export function topic(prefix: string, kioskId: string, leaf: TopicLeaf): string {
  return `${prefix}/${kioskId}/${leaf}`;
}

export type Topics = Record<TopicLeaf, string>;

export function topics(prefix: string, kioskId: string): Topics {
  return {
    status: topic(prefix, kioskId, 'status'),
    events: topic(prefix, kioskId, 'events'),
    inventory: topic(prefix, kioskId, 'inventory'),
    telemetry: topic(prefix, kioskId, 'telemetry'),
    commands: topic(prefix, kioskId, 'commands'),
    acks: topic(prefix, kioskId, 'acks'),
  };
}
