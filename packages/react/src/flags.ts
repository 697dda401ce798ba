import {
  createFlagClient,
  createRandomId,
  createStaticFlagClient,
  type DeviceMetadata,
  type FactoredStore,
  type FlagClient,
  type Platform,
  type SerializedFlagState,
} from '@factoredui/core';
import { runningSessionId } from './capture.js';

/** How the provider creates its flag client (when it is not given one). */
export interface FlagSetup {
  bootstrap?: SerializedFlagState | undefined;
  platform?: Platform | undefined;
  metadata?: DeviceMetadata | undefined;
}

interface SharedFlags {
  client: FlagClient;
  refs: number;
  destroyTimer: ReturnType<typeof setTimeout> | undefined;
}

/** One flag client per store in the browser, shared by providers and StrictMode replays. */
const shared = new WeakMap<FactoredStore, SharedFlags>();

/** Server clients, one per bootstrap object (that is, per request). */
const serverClients = new WeakMap<SerializedFlagState, FlagClient>();

const isServer = () => typeof (globalThis as { window?: unknown }).window === 'undefined';

/**
 * The flag client of `store`, created on first use. Exposures are deduplicated per capture
 * session when capture runs (else per page load). On the server only a static client over the
 * bootstrap is made (`createStaticFlagClient`: no store read or write, no subscription, no
 * timer), so a render opens nothing that would need destroying; without a bootstrap the
 * server renders flags as loading.
 */
export function flagClientFor(store: FactoredStore, setup: FlagSetup): FlagClient | null {
  const options = {
    store,
    ...(setup.platform !== undefined ? { platform: setup.platform } : {}),
    ...(setup.metadata !== undefined ? { metadata: setup.metadata } : {}),
  };
  if (isServer()) {
    const { bootstrap } = setup;
    if (!bootstrap) return null;
    let client = serverClients.get(bootstrap);
    if (!client) {
      // Evaluates the bootstrap only; new assignments are predicted, and recorded by the
      // browser's client after hydration.
      client = createStaticFlagClient({ ...options, bootstrap });
      serverClients.set(bootstrap, client);
    }
    return client;
  }
  let entry = shared.get(store);
  if (!entry) {
    const pageSession = createRandomId();
    const client = createFlagClient({
      ...options,
      ...(setup.bootstrap ? { bootstrap: setup.bootstrap } : {}),
      sessionId: () => runningSessionId(store) ?? pageSession,
    });
    entry = { client, refs: 0, destroyTimer: undefined };
    shared.set(store, entry);
  }
  return entry.client;
}

/** Marks the store's flag client as used by a mounted provider. */
export function retainFlags(store: FactoredStore): void {
  const entry = shared.get(store);
  if (!entry) return;
  clearTimeout(entry.destroyTimer);
  entry.refs += 1;
}

/** Releases one use; the last one destroys the client on the next task (StrictMode-safe). */
export function releaseFlags(store: FactoredStore): void {
  const entry = shared.get(store);
  if (!entry) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  clearTimeout(entry.destroyTimer);
  entry.destroyTimer = setTimeout(() => {
    if (entry.refs > 0 || shared.get(store) !== entry) return;
    shared.delete(store);
    entry.client.destroy();
  }, 0);
}
