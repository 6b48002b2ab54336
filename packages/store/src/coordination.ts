/** What one cache tells the others over the same storage (other tabs, the page's worker). */
export type CacheMessage = { type: 'activated'; model: string; version: string };

/**
 * Mutual exclusion and announcements among every cache over one storage. In browsers that is the
 * whole origin (the page, its workers, other tabs): Web Locks and BroadcastChannel. Elsewhere
 * (Node, React Native) one process: a lock chain in memory.
 */
export interface Coordinator {
  /** Runs `fn` while holding the exclusive lock `name`; waits for it first. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  publish(message: CacheMessage): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (message: CacheMessage) => void): () => void;
}

interface LockManagerLike {
  request<T>(name: string, options: { mode: 'exclusive' }, fn: () => Promise<T>): Promise<T>;
}

/** Read lazily, inside calls: the store module is imported in Node too. */
function webLocks(): LockManagerLike | undefined {
  return (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
}

/** Web Locks + BroadcastChannel where the platform has them, else the in-process coordinator. */
export function defaultCoordinator(scope: string): Coordinator {
  const locks = webLocks();
  if (!locks || typeof BroadcastChannel !== 'function') return localCoordinator(scope);
  let channel: BroadcastChannel | undefined;
  const listeners = new Set<(m: CacheMessage) => void>();
  const open = () => {
    if (channel) return channel;
    channel = new BroadcastChannel(`edgewise-store:${scope}`);
    channel.onmessage = (e: MessageEvent<CacheMessage>) => listeners.forEach((l) => l(e.data));
    return channel;
  };
  return {
    withLock: (name, fn) => locks.request(`edgewise-store:${scope}:${name}`, { mode: 'exclusive' }, fn),
    publish: (message) => open().postMessage(message),
    subscribe(listener) {
      open();
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          channel?.close();
          channel = undefined;
        }
      };
    },
  };
}

// Shared by every cache in this process, as Web Locks are shared by every context of an origin.
const chains = new Map<string, Promise<unknown>>();
const localListeners = new Map<string, Set<(m: CacheMessage) => void>>();

/** One process: locks are promise chains per name; messages go to the other caches over the same scope. */
export function localCoordinator(scope: string): Coordinator {
  const own = new Set<(m: CacheMessage) => void>();
  return {
    async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const key = `${scope}:${name}`;
      const before = chains.get(key) ?? Promise.resolve();
      const run = before.then(fn, fn);
      const tail = run.catch(() => undefined);
      chains.set(key, tail);
      try {
        return await run;
      } finally {
        if (chains.get(key) === tail) chains.delete(key);
      }
    },
    publish(message) {
      // Async and never back to the sender, like BroadcastChannel.
      for (const listener of localListeners.get(scope) ?? []) if (!own.has(listener)) queueMicrotask(() => listener(message));
    },
    subscribe(listener) {
      let set = localListeners.get(scope);
      if (!set) localListeners.set(scope, (set = new Set()));
      set.add(listener);
      own.add(listener);
      return () => {
        set.delete(listener);
        own.delete(listener);
      };
    },
  };
}
