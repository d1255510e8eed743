/**
 * A stream of events for the control socket (see protocol.ts): what a handler returns to send one
 * line per event until the client goes away or the stream ends.
 */
/** Events queued for one slow client before the oldest are dropped. */
export const MAX_QUEUED_EVENTS = 1000;
/**
 * An AsyncIterable fed by callbacks: `setup` subscribes and returns its cleanup, which runs
 * exactly once, when the consumer stops (return), `signal` aborts or `end` is called. The queue
 * is bounded; on overflow the oldest events are dropped and counted.
 */
export function eventStream<T>(
  signal: AbortSignal,
  setup: (push: (event: T) => void, end: () => void) => () => void,
  options: { maxQueued?: number; onDropped?: (n: number) => T } = {},
): AsyncIterable<T> {
  const max = options.maxQueued ?? MAX_QUEUED_EVENTS;
  const queue: T[] = [];
  let dropped = 0;
  let waiting: ((r: IteratorResult<T>) => void) | undefined;
  let done = false;
  let cleanup: (() => void) | undefined;
  const finish = () => {
    if (done) return;
    done = true;
    signal.removeEventListener('abort', finish);
    try {
      cleanup?.();
    } catch {
      // Cleanup runs from an abort listener: a throw there would be an uncaught exception.
    }
    waiting?.({ done: true, value: undefined });
    waiting = undefined;
  };
  const push = (event: T) => {
    if (done) return;
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w({ done: false, value: event });
      return;
    }
    queue.push(event);
    if (queue.length > max) {
      queue.shift();
      dropped++;
    }
  };
  return {
    [Symbol.asyncIterator]() {
      if (!done && !cleanup) {
        if (signal.aborted) done = true;
        else {
          signal.addEventListener('abort', finish, { once: true });
          cleanup = setup(push, finish);
        }
      }
      return {
        next(): Promise<IteratorResult<T>> {
          if (dropped > 0 && options.onDropped) {
            const n = dropped;
            dropped = 0;
            return Promise.resolve({ done: false, value: options.onDropped(n) });
          }
          const next = queue.shift();
          if (next !== undefined) return Promise.resolve({ done: false, value: next });
          if (done) return Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve) => (waiting = resolve));
        },
        return(): Promise<IteratorResult<T>> {
          finish();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

