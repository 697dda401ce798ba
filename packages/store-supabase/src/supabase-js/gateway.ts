import { FactoredError, type StoreChange, type StoreTopic } from '@factoredui/core';
import type { SqlGateway } from '../gateway.js';
import type { SupabaseClientLike } from './client.js';
import { mapPostgrestError } from './errors.js';
import { subscribeToTopic } from './realtime.js';

/** The schema every factoredui SQL object lives in. */
export const FACTOREDUI_SCHEMA = 'factoredui';

/**
 * How long a call waits for subscriptions that are still joining (see
 * {@link createSupabaseGateway}) before it goes ahead anyway.
 */
export const SUBSCRIBE_SETTLE_MS = 5_000;

/** Options of {@link createSupabaseGateway}. */
export interface SupabaseGatewayOptions {
  /**
   * Receives realtime failures (a channel that errors or times out, a failed removal). They
   * cannot be thrown from `subscribe`, which has already returned. Default: `console.warn`.
   */
  onRealtimeError?: (error: FactoredError) => void;
}

/**
 * A {@link SqlGateway} over supabase-js: `call` is `client.schema('factoredui').rpc(fn, args)`
 * (one HTTP request, which PostgREST runs in one transaction with the caller's role and JWT
 * claims, so row-level security applies exactly as in the direct-SQL "as user" mode), and
 * `subscribe` listens to `postgres_changes` of the topic's tables over Supabase Realtime.
 *
 * A Realtime channel joins asynchronously, after `subscribe` has returned. So that a change
 * made through this store right after `subscribe()` is not missed, calls wait until the
 * subscriptions that are still joining are confirmed (or failed), for at most
 * {@link SUBSCRIBE_SETTLE_MS}. Calls made with no subscription joining do not wait.
 */
export function createSupabaseGateway(
  client: SupabaseClientLike,
  options: SupabaseGatewayOptions = {},
): Required<SqlGateway> {
  const rpcClient = client.schema(FACTOREDUI_SCHEMA);
  const joining = new Set<Promise<void>>();
  const settled = async (): Promise<void> => {
    if (joining.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(joining),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SUBSCRIBE_SETTLE_MS);
      }),
    ]);
    clearTimeout(timer);
  };
  const onError =
    options.onRealtimeError ??
    ((error: FactoredError) => console.warn(`[factoredui] ${error.message}`));
  return {
    async call(fn: string, args: Readonly<Record<string, unknown>> = {}): Promise<unknown> {
      await settled();
      let response: Awaited<ReturnType<typeof rpcClient.rpc>>;
      try {
        response = await rpcClient.rpc(fn, { ...args });
      } catch (error) {
        // supabase-js reports failures as values; a throw is a fetch implementation failing
        // outside of it (for example a custom `global.fetch`).
        throw new FactoredError(
          'unavailable',
          `factoredui.${fn}: the Supabase API could not be reached (${
            error instanceof Error ? error.message : String(error)
          }); retry later.`,
          { cause: error, details: { function: fn } },
        );
      }
      if (response.error) throw mapPostgrestError(response.error, response.status, fn);
      return response.data;
    },
    subscribe(topic: StoreTopic, listener: (change: StoreChange) => void): () => void {
      const { unsubscribe, ready } = subscribeToTopic(client, topic, listener, onError);
      joining.add(ready);
      void ready.then(() => joining.delete(ready));
      return unsubscribe;
    },
  };
}
