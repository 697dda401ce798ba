/// <reference lib="webworker" />
/**
 * The demo database worker: it owns the demo's memory database, persists it to IndexedDB, and
 * runs the traffic simulation, so the page's main thread only renders (no task of the page
 * parses, serializes or recomputes the data). The page reaches it through `client.ts`.
 */
import { isFactoredError, type StoreChange, type StoreTopic } from '@factoredui/core';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryStore,
} from '@factoredui/store-memory';
import { simulateTraffic } from '../lib/simulate.js';
import { createIndexedDbStorage } from './idb-storage.js';
import type {
  LoadReport,
  Request,
  Response,
  StoreIdentity,
  WireError,
  WireSimulationResult,
} from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;

const post = (message: Response) => self.postMessage(message);

const toWire = (error: unknown): WireError => ({
  code: isFactoredError(error) ? error.code : null,
  message: error instanceof Error ? error.message : String(error),
});

/** The key of the whole database in IndexedDB. */
const DATABASE_KEY = 'factoredui:demo-db';

const storage = createIndexedDbStorage();
let failing = false;
let loadProblem: string | null = null;
const database = createMemoryDatabase({
  storage: {
    async getItem(key) {
      try {
        return await storage.getItem(key);
      } catch (error) {
        // No IndexedDB (a private window of some browsers, a blocked upgrade): run in memory.
        loadProblem = toWire(error).message;
        return null;
      }
    },
    removeItem: (key) => storage.removeItem(key),
    async setItem(key, value) {
      await storage.setItem(key, value);
      if (failing) {
        failing = false;
        post({ kind: 'persistence', status: { ok: true } });
      }
    },
  },
  storageKey: DATABASE_KEY,
  // A save serializes the whole database; in this worker it delays nothing on the page, but a
  // longer delay still saves fewer copies during a simulation.
  persistDelayMs: 1000,
  onPersistError(error) {
    failing = true;
    post({ kind: 'persistence', status: { ok: false, message: toWire(error).message } });
  },
});

const stores = new Map<string, MemoryStore>();
function storeOf(identity: StoreIdentity): MemoryStore {
  const id = identity.role === 'service' ? 'service' : `user:${identity.userId}`;
  let store = stores.get(id);
  if (!store) {
    store =
      identity.role === 'service'
        ? createMemoryStore({ database, role: 'service' })
        : createMemoryStore({ database, userId: identity.userId });
    // One store per simulated visitor would otherwise accumulate: keep the page's few.
    if (stores.size > 64) stores.clear();
    stores.set(id, store);
  }
  return store;
}

// Change notifications, coalesced: a simulation writes thousands of times a second, and every
// notification makes the page re-read and re-render. One message per 100 ms carries each
// changed topic once (with its key when only one key changed); while a simulation runs they
// are held and sent once at its end, so the page's work during a run is bounded by the
// progress messages (at most 101), whatever the machine's speed.
let simulating = 0;
const pending = new Map<StoreTopic, string | null | undefined>();
let changesScheduled = false;
const sendChanges = () => {
  changesScheduled = false;
  if (simulating > 0 || pending.size === 0) return;
  const changes: StoreChange[] = [...pending].map(([t, key]) =>
    typeof key === 'string' ? { topic: t, key } : { topic: t },
  );
  pending.clear();
  post({ kind: 'changes', changes });
};
const TOPICS: StoreTopic[] = [
  'events',
  'factors',
  'experiments',
  'assignments',
  'governance',
  'specs',
];
for (const topic of TOPICS)
  database.subscribe(topic, (change) => {
    const before = pending.get(topic);
    pending.set(topic, !pending.has(topic) ? change.key : before === change.key ? before : null);
    if (!changesScheduled) {
      changesScheduled = true;
      setTimeout(sendChanges, 100);
    }
  });

/** Lets queued messages (the page's reads) run between simulated visitors. */
const yieldToMessages = () =>
  new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });

async function handle(request: Request): Promise<void> {
  try {
    switch (request.kind) {
      case 'call': {
        const store = storeOf(request.identity);
        const method = store[request.method] as (...args: unknown[]) => Promise<unknown>;
        const value = await method.apply(store, request.args);
        post({ kind: 'result', id: request.id, value });
        return;
      }
      case 'simulate': {
        simulating += 1;
        // Progress at every whole percent of the visitors (and at each phase): the page
        // renders each one, so it gets at most 101 of them plus one per phase.
        let lastPercent = -1;
        const result = await simulateTraffic({
          users: request.users,
          ...(request.seed === undefined ? {} : { seed: request.seed }),
          service: storeOf({ role: 'service' }),
          storeFor: (userId) => createMemoryStore({ database, userId }),
          pause: yieldToMessages,
          onProgress: (progress) => {
            const percent = Math.floor((100 * progress.done) / Math.max(1, progress.total));
            if (progress.phase === 'visitors' && percent === lastPercent) return;
            lastPercent = percent;
            post({ kind: 'progress', id: request.id, progress });
          },
          // The verdict is on disk before the page is told it is done.
          save: () => database.flush(),
        }).finally(() => {
          simulating -= 1;
          sendChanges();
        });
        const wire: WireSimulationResult = {
          ...result,
          sweep: {
            ...result.sweep,
            failures: result.sweep.failures.map((f) => ({
              experimentId: f.experimentId,
              experimentName: f.experimentName,
              error: toWire(f.error),
            })),
          },
        };
        post({ kind: 'simulated', id: request.id, result: wire });
        return;
      }
      case 'flush':
        await database.flush();
        post({ kind: 'result', id: request.id, value: null });
        return;
      case 'clear':
        await database.clear();
        post({ kind: 'result', id: request.id, value: null });
        return;
    }
  } catch (error) {
    post({ kind: 'error', id: request.id, error: toWire(error) });
  }
}

self.onmessage = (event: MessageEvent<Request>) => {
  void handle(event.data);
};

// Tell the page once the saved copy (IndexedDB) is loaded, and whether it could be read.
void database.ready.then(() => {
  const report: LoadReport = loadProblem
    ? { persistence: 'memory', problem: loadProblem }
    : { persistence: 'indexeddb', problem: null };
  post({ kind: 'ready', report });
});
