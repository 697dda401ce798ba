import {
  createEd25519Signer,
  createEd25519Verifier,
  createExperiment,
  createRandomId,
  type Experiment,
  type FactoredStore,
  generateEd25519Keypair,
  isFactoredError,
  type KVStorage,
  nextSpecVersion,
  publishSpec,
  type SpecVerifier,
  type StoredSpec,
  startExperiment,
} from '@factoredui/core';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryDatabase,
} from '@factoredui/store-memory';
import { EXPERIMENT, EXPERIMENT_NAME, PROMO_SLOT, PROMO_SPEC, THRESHOLDS } from './config.js';
import { sinkUrlFromLocation, withEventSink } from './sink.js';
import { clearDemoKeys } from './storage.js';

/** Where the demo keeps its data. */
export type DemoMode = 'memory' | 'supabase';

/** Everything the demo's screens need, created once at start-up. */
export interface DemoRuntime {
  mode: DemoMode;
  /** The visitor's own store (a user store: RLS applies). */
  store: FactoredStore;
  /** A service-role store (definitions, maintenance, governance), or null when unavailable. */
  service: FactoredStore | null;
  /** A store acting as `userId`, for simulated visitors; null when the mode cannot make one. */
  storeFor: ((userId: string) => FactoredStore) | null;
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
  /** Local persistence, in memory mode. */
  storage: KVStorage | null;
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
  return experiment;
}

/**
 * Signs the promo spec with a key generated now and publishes it; the returned verifier trusts
 * only that key, so the client verifies what was published with the real Ed25519 verifier.
 */
async function publishPromo(service: FactoredStore | null, warnings: string[]) {
  const keypair = await generateEd25519Keypair();
  const keyId = `demo-${new Date().toISOString().slice(0, 19)}`;
  const verifier = createEd25519Verifier({ [keyId]: keypair.publicKey });
  let promo: StoredSpec | null = null;
  if (service) {
    try {
      const signer = createEd25519Signer({ privateKey: keypair.privateKey, keyId });
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
  return { verifier, keyId, promo };
}

async function createMemoryRuntime(): Promise<DemoRuntime> {
  const warnings: string[] = [];
  const storage = window.localStorage;
  // The store batches its whole-database saves (persistDelayMs) and reports a full quota
  // instead of throwing; the demo keeps running in memory then.
  const database: MemoryDatabase = createMemoryDatabase({
    storage,
    storageKey: 'factoredui:demo-db',
    persistDelayMs: 400,
    onPersistError: (error) =>
      console.warn(
        `Could not persist the demo database (${describe(error)}). The demo keeps running in memory; use "Reset demo data" to start small again.`,
      ),
  });
  const sinkUrl = sinkUrlFromLocation(window.location);
  const memoryStore = createMemoryStore({ database, storage });
  // `?sink=<url>`: capture writes go to a shared HTTP event sink (see sink.ts).
  const store = sinkUrl ? withEventSink(memoryStore, sinkUrl) : memoryStore;
  const service = createMemoryStore({ database, role: 'service' });
  let experiment: Experiment | null = null;
  try {
    experiment = await ensureExperiment(service);
  } catch (error) {
    warnings.push(`Setting up the experiment failed: ${describe(error)}`);
  }
  const { verifier, keyId, promo } = await publishPromo(service, warnings);
  return {
    mode: 'memory',
    store,
    service,
    storeFor: (userId) => createMemoryStore({ database, userId }),
    verifier,
    keyId,
    promo,
    experiment,
    warnings,
    storage,
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
  const { verifier, keyId, promo } = await publishPromo(service, warnings);
  return {
    mode: 'supabase',
    store,
    service,
    // Simulated visitors are written through the service role with an explicit user id.
    storeFor: service ? () => service : null,
    verifier,
    keyId,
    promo,
    experiment,
    warnings,
    storage: null,
    sinkUrl: null,
    async reset() {
      warnings.push('Reset is not available on Supabase: truncate the factoredui tables instead.');
    },
  };
}

/** Builds the runtime: Supabase when configured, else the in-memory store. */
export async function createDemoRuntime(): Promise<DemoRuntime> {
  if (window.sessionStorage.getItem(RESET_FLAG)) {
    window.sessionStorage.removeItem(RESET_FLAG);
    clearDemoKeys(window.localStorage);
  }
  const url = import.meta.env.VITE_SUPABASE_URL;
  const anonKey = import.meta.env.VITE_SUPABASE_ANON_KEY;
  if (url && anonKey) return createSupabaseRuntime(url, anonKey);
  return createMemoryRuntime();
}
