import type { Platform } from '../capture/types.js';
import { requireMethods, withLegacyAliases } from '../legacy/calls.js';
import type { FactoredStore } from '../store/contract.js';
import { createFlagClient, type FlagClient } from './client.js';
import type { DeviceMetadata, FlagEvaluation } from './types.js';

const sharedClients = new WeakMap<FactoredStore, FlagClient>();

/**
 * The flag client `evaluateFlag` keeps for a store (one per store, created on first use,
 * acting as the store's own user). Useful to `subscribe` to the same state or to `destroy` it.
 */
export function getSharedFlagClient(store: FactoredStore): FlagClient {
  let client = sharedClients.get(store);
  if (!client) {
    // A 0.5.1 custom store fails here, naming what to implement (not later, one method at a time).
    requireMethods(store, 'evaluateFlag: the store', [
      'getIdentity',
      'listExperiments',
      'listAssignments',
      'recordAssignment',
      'recordExposure',
      'getFactors',
    ]);
    client = createFlagClient({ store });
    sharedClients.set(store, client);
  }
  return client;
}

/**
 * Evaluates a flag (an experiment name) for the store's user, records the assignment if it
 * is new, and records an exposure (once per experiment and session). Async only for the
 * first load: later calls evaluate locally from the cached definitions and assignments.
 * Returns `null` when the user gets no variant (render the default), as in 0.5. A concluded
 * experiment returns its winner for everyone (`reason: 'STATIC'`, no exposure).
 *
 * For synchronous evaluation in render paths, use {@link createFlagClient} directly.
 */
export async function evaluateFlag(
  store: FactoredStore,
  name: string,
  platform?: Platform,
  deviceMetadata?: DeviceMetadata,
): Promise<FlagEvaluation | null> {
  const client = getSharedFlagClient(store);
  // After a failed first load, every call retries instead of failing forever.
  if (client.getSnapshot().status === 'error') await client.refresh();
  await client.ready();
  const context =
    platform === undefined && deviceMetadata === undefined
      ? undefined
      : {
          ...(platform !== undefined ? { platform } : {}),
          ...(deviceMetadata !== undefined ? { metadata: deviceMetadata } : {}),
        };
  const evaluation = client.evaluate(name, context);
  if (evaluation.inExperiment) await client.recordExposure(evaluation);
  return evaluation.variantKey === null
    ? null
    : withLegacyAliases({ ...evaluation }, 'evaluateFlag()', {
        variant_key: 'variantKey',
        experiment_id: 'experimentId',
      });
}
