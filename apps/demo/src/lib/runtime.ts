import {
  createEd25519Signer,
  createEd25519Verifier,
  createExperiment,
  createRandomId,
  type Experiment,
  type FactoredStore,
  generateEd25519Keypair,
  getEd25519PublicKey,
  hashSpec,
  isFactoredError,
  nextSpecVersion,
  publishSpec,
  type SpecVerifier,
  type StoredSpec,
  startExperiment,
} from '@factoredui/core';
import { connectDemoDatabase } from '../data/client.js';
import type { PersistenceStatus } from '../data/protocol.js';
import { EXPERIMENT, EXPERIMENT_NAME, PROMO_SLOT, PROMO_SPEC, THRESHOLDS } from './config.js';
import { ensureMetricPlan } from './metrics.js';
import { type SimulationProgress, type SimulationResult, simulateTraffic } from './simulate.js';
import { sinkUrlFromLocation, withEventSink } from './sink.js';
import { clearDemoKeys, LEGACY_DATABASE_KEY, SIGNING_KEY } from './storage.js';

/** Where the demo keeps its data. */
export type DemoMode = 'memory' | 'supabase';

/** Everything the demo's screens need, created once at start-up. */
export interface DemoRuntime {
  mode: DemoMode;
  /** The visitor's own store (a user store: RLS applies). */
  store: FactoredStore;
  /** A service-role store (definitions, maintenance, governance), or null when unavailable. */
  service: FactoredStore | null;
  /** The verifier trusting the key generated at this start-up. */
  verifier: SpecVerifier;
  /** The key id of that key. */
  keyId: string;
  /** The promo spec published at start-up, or null when publishing was not possible. */
  promo: StoredSpec | null;
  /** The experiment, as found or created at start-up. */
  experiment: Experiment | null;
  /** Problems of the start-up (shown in the app, never swallowed). */
  warnings: string[];
  /**
   * Runs the traffic simulation (memory mode: in the database worker, off the main thread);
   * null when the mode cannot simulate.
   */
  simulate:
    | ((
        users: number,
        onProgress: (progress: SimulationProgress) => void,
      ) => Promise<SimulationResult>)
    | null;
  /** Saving to this browser (memory mode), or null when nothing is saved locally. */
  persistence: {
    current(): PersistenceStatus;
    subscribe(listener: (status: PersistenceStatus) => void): () => void;
  } | null;
  /** The event sink capture writes to (`?sink=<url>`, memory mode), or null. */
  sinkUrl: string | null;
  /** Erases every demo record and reloads the page. */
  reset(): Promise<void>;
}

const RESET_FLAG = 'demo:resetting';

function describe(error: unknown): string {
  if (isFactoredError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Creates the experiment (running) and its thresholds unless they exist. */
async function ensureExperiment(service: FactoredStore): Promise<Experiment> {
  let experiment: Experiment;
  try {
    experiment = await service.getExperiment(EXPERIMENT_NAME);
  } catch (error) {
    if (!isFactoredError(error) || error.code !== 'not_found') throw error;
    const draft = await createExperiment(service, EXPERIMENT);
    experiment = await startExperiment(service, draft.id);
  }
  const existing = await service.listThresholds({ experimentId: experiment.id });
  for (const threshold of THRESHOLDS) {
    const present = existing.some(
      (t) =>
        t.experimentId === experiment.id &&
        t.factor === threshold.factor &&
        t.path === threshold.path,
    );
    if (present) continue;
    await service.upsertThreshold({
      id: createRandomId(),
      experimentId: experiment.id,
      ...threshold,
    });
  }
  await ensureMetricPlan(service, experiment.id);
  return experiment;
}

interface DemoKey {
  keyId: string;
  privateKey: string;
  publicKey: string;
}

/**
 * The demo's signing key, generated once per browser and kept in `localStorage`, so a reload
 * verifies the spec it published before instead of signing a new version with a new key.
 */
async function demoSigningKey(storage: Storage | null): Promise<DemoKey> {
  const raw = storage?.getItem(SIGNING_KEY);
  if (raw) {
    try {
      const saved = JSON.parse(raw) as Partial<DemoKey>;
      if (
        typeof saved.keyId === 'string' &&
        typeof saved.privateKey === 'string' &&
        typeof saved.publicKey === 'string' &&
        getEd25519PublicKey(saved.privateKey) === saved.publicKey
      )
        return saved as DemoKey;
    } catch {
      // A damaged key is replaced below.
    }
  }
  const keypair = await generateEd25519Keypair();
  const key = { keyId: `demo-${new Date().toISOString().slice(0, 19)}`, ...keypair };
  storage?.setItem(SIGNING_KEY, JSON.stringify(key));
  return key;
}

/**
 * Publishes the promo spec signed with the browser's demo key, unless the active version
 * already is that spec signed by that key (a reload publishes nothing new). The returned
 * verifier trusts only that key, so the client verifies with the real Ed25519 verifier.
 */
async function publishPromo(
  service: FactoredStore | null,
  storage: Storage | null,
  warnings: string[],
) {
  const key = await demoSigningKey(storage);
  const verifier = createEd25519Verifier({ [key.keyId]: key.publicKey });
  let promo: StoredSpec | null = null;
  if (service) {
    try {
      const active = await service.getActiveSpec(PROMO_SLOT);
      if (
        active &&
        active.envelope.key_id === key.keyId &&
        active.envelope.spec_hash === hashSpec(PROMO_SPEC)
      )
        return { verifier, keyId: key.keyId, promo: active };
      const signer = createEd25519Signer({ privateKey: key.privateKey, keyId: key.keyId });
      // The version is signed too: one above what this (persisted) store already holds.
      const version = await nextSpecVersion(service, PROMO_SLOT);
      const envelope = await signer.sign(PROMO_SPEC, { ...PROMO_SLOT, version });
      promo = await publishSpec(service, { ...PROMO_SLOT, envelope, verifier });
    } catch (error) {
      warnings.push(`Publishing the promo spec failed (${describe(error)}); showing the baseline.`);
    }
  } else {
    warnings.push('No service role: the promo spec was not published; the baseline is shown.');
  }
  return { verifier, keyId: key.keyId, promo };
}

/** The visitor's anonymous id, kept in `localStorage` (the key store-memory uses). */
function anonymousUserId(storage: Storage): string {
  const saved = storage.getItem(ANONYMOUS_ID);
  if (saved) return saved;
  const id = createRandomId();
  storage.setItem(ANONYMOUS_ID, id);
  return id;
}

const ANONYMOUS_ID = 'factoredui:anonymous-id';

async function createMemoryRuntime(): Promise<DemoRuntime> {
  const warnings: string[] = [];
  const storage = window.localStorage;
  // Earlier versions kept the whole database in localStorage, whose ~5 MB quota a simulation
  // outgrows; it lives in IndexedDB now, in the database worker.
  storage.removeItem(LEGACY_DATABASE_KEY);
  const database = connectDemoDatabase(
    new Worker(new URL('../data/database.worker.ts', import.meta.url), {
      type: 'module',
      name: 'factoredui-demo-database',
    }),
  );
  const report = await database.ready;
  if (report.problem)
    warnings.push(`The demo data is not saved in this browser: ${report.problem}`);
  if (window.sessionStorage.getItem(RESET_FLAG)) {
    window.sessionStorage.removeItem(RESET_FLAG);
    await database.clear();
  }
  // Pending changes are saved within a second; a page being hidden saves them at once.
  window.addEventListener('pagehide', () => {
    database.flush().catch(() => {});
  });
  const sinkUrl = sinkUrlFromLocation(window.location);
  const memoryStore = database.store({ role: 'user', userId: anonymousUserId(storage) });
  // `?sink=<url>`: capture writes go to a shared HTTP event sink (see sink.ts).
  const store = sinkUrl ? withEventSink(memoryStore, sinkUrl) : memoryStore;
  const service = database.store({ role: 'service' });
  let experiment: Experiment | null = null;
  try {
    experiment = await ensureExperiment(service);
  } catch (error) {
    warnings.push(`Setting up the experiment failed: ${describe(error)}`);
  }
  const { verifier, keyId, promo } = await publishPromo(service, storage, warnings);
  return {
    mode: 'memory',
    store,
    service,
    verifier,
    keyId,
    promo,
    experiment,
    warnings,
    simulate: (users, onProgress) => database.simulate({ users }, onProgress),
    persistence: {
      current: () => database.persistence(),
      subscribe: (listener) => database.onPersistence(listener),
    },
    sinkUrl,
    async reset() {
      window.sessionStorage.setItem(RESET_FLAG, '1');
      window.location.reload();
    },
  };
}

async function createSupabaseRuntime(url: string, anonKey: string): Promise<DemoRuntime> {
  const warnings: string[] = [];
  // Loaded only in this mode, so the default (memory) bundle carries no supabase-js.
  const [{ createClient }, { createSupabaseStore }] = await Promise.all([
    import('@supabase/supabase-js'),
    import('@factoredui/store-supabase'),
  ]);
  const client = createClient(url, anonKey);
  const { data } = await client.auth.getSession();
  if (!data.session) {
    const { error } = await client.auth.signInAnonymously();
    if (error)
      warnings.push(
        `Anonymous sign-in failed (${error.message}): enable anonymous sign-ins in the Supabase project so the visitor can write events.`,
      );
  }
  const store = createSupabaseStore(client);
  const serviceKey = import.meta.env.VITE_SUPABASE_SERVICE_ROLE_KEY;
  let service: FactoredStore | null = null;
  if (serviceKey) {
    const serviceClient = createClient(url, serviceKey, {
      auth: { persistSession: false, autoRefreshToken: false, storageKey: 'demo:service-auth' },
    });
    service = createSupabaseStore(serviceClient, { role: 'service' });
  } else {
    warnings.push(
      'Supabase mode without VITE_SUPABASE_SERVICE_ROLE_KEY: the shop captures and reads flags, but the experiment, thresholds, the promo spec, "Simulate traffic" and governance need the service role (run `factoredui publish/govern/refresh` from a server instead).',
    );
  }
  let experiment: Experiment | null = null;
  try {
    experiment = service
      ? await ensureExperiment(service)
      : await store.getExperiment(EXPERIMENT_NAME);
  } catch (error) {
    warnings.push(`The experiment is not available: ${describe(error)}`);
  }
  const { verifier, keyId, promo } = await publishPromo(service, window.localStorage, warnings);
  return {
    mode: 'supabase',
    store,
    service,
    verifier,
    keyId,
    promo,
    experiment,
    warnings,
    // Simulated visitors are written through the service role with an explicit user id.
    simulate: service
      ? (users, onProgress) =>
          simulateTraffic({ users, service, storeFor: () => service, onProgress })
      : null,
    persistence: null,
    sinkUrl: null,
    async reset() {
      warnings.push('Reset is not available on Supabase: truncate the factoredui tables instead.');
    },
  };
}

/** Builds the runtime: Supabase when configured, else the in-memory store. */
export async function createDemoRuntime(): Promise<DemoRuntime> {
  if (window.sessionStorage.getItem(RESET_FLAG)) clearDemoKeys(window.localStorage);
  const url = import.meta.env.VITE_SUPABASE_URL;
  const anonKey = import.meta.env.VITE_SUPABASE_ANON_KEY;
  if (url && anonKey) return createSupabaseRuntime(url, anonKey);
  return createMemoryRuntime();
}
