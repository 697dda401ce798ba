import { FactoredError, type StoreChange, type StoreTopic } from '@factoredui/core';
import type { RealtimeChannel } from '@supabase/supabase-js';
import type { SupabaseClientLike } from './client.js';

/**
 * The tables of schema `factoredui` whose changes make up each topic, and the column that names
 * the changed thing (`StoreChange.key`), matching the direct-SQL transport's NOTIFY triggers so
 * both transports report the same changes. The migrations add these tables to the
 * `supabase_realtime` publication. Supabase Realtime reports one change per row (a batch of
 * events is one notification per event); `events` and `factors` carry no key, as over direct
 * SQL, where they notify once per statement.
 */
export const TOPIC_TABLES: Readonly<
  Record<StoreTopic, readonly { table: string; key: string | null }[]>
> = {
  events: [{ table: 'events', key: null }],
  factors: [{ table: 'pair_factors', key: null }],
  experiments: [{ table: 'experiments', key: 'id' }],
  assignments: [
    { table: 'assignments', key: 'user_id' },
    { table: 'exposures', key: 'user_id' },
  ],
  governance: [
    { table: 'governance_log', key: 'experiment_id' },
    { table: 'thresholds', key: 'experiment_id' },
  ],
  specs: [
    { table: 'specs', key: 'name' },
    { table: 'spec_pointers', key: 'name' },
  ],
};

let channelCounter = 0;

function keyOf(
  payload: { new?: Record<string, unknown>; old?: Record<string, unknown> },
  column: string | null,
): string | undefined {
  if (column === null) return undefined;
  const value = payload.new?.[column] ?? payload.old?.[column];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** A subscription: how to end it, and when the server confirmed (or refused) it. */
export interface TopicSubscription {
  /** Removes the channel; calling it again does nothing. */
  unsubscribe: () => void;
  /**
   * Settles once the server confirmed the `postgres_changes` subscription, or the channel
   * failed, timed out or closed. Never rejects.
   */
  ready: Promise<void>;
}

/**
 * Subscribes to `postgres_changes` of the topic's tables on one channel. Each committed insert,
 * update or delete that the caller may read (Supabase Realtime applies RLS) calls `listener`
 * with the topic and, when the row names it, the key. The join asks the server to confirm that
 * the database subscription is active (`postgres_changes_options.wait`), so `ready` means
 * changes committed from then on are delivered.
 */
export function subscribeToTopic(
  client: SupabaseClientLike,
  topic: StoreTopic,
  listener: (change: StoreChange) => void,
  onError: (error: FactoredError) => void,
): TopicSubscription {
  const tables = TOPIC_TABLES[topic];
  if (!tables) {
    throw new FactoredError('invalid_input', `Unknown realtime topic "${String(topic)}".`, {
      details: { topic },
    });
  }
  channelCounter += 1;
  let channel: RealtimeChannel | undefined = client.channel(
    `factoredui:${topic}:${channelCounter}`,
    { config: { postgres_changes_options: { wait: true } } },
  );
  let settle: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    settle = resolve;
  });
  for (const { table, key } of tables) {
    channel = channel.on(
      'postgres_changes',
      { event: '*', schema: 'factoredui', table },
      (payload) => {
        const changeKey = keyOf(payload, key);
        listener(changeKey === undefined ? { topic } : { topic, key: changeKey });
      },
    );
  }
  channel.subscribe((status, error) => {
    settle();
    if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
      onError(
        new FactoredError(
          'unavailable',
          `Realtime subscription to "${topic}" failed (${status}${
            error ? `: ${error.message}` : ''
          }); changes will not be delivered until it reconnects. Check that Realtime is ` +
            'enabled for the factoredui tables.',
          { cause: error, details: { topic, status } },
        ),
      );
    }
  });
  const unsubscribe = () => {
    const current = channel;
    if (!current) return;
    channel = undefined;
    settle();
    client.removeChannel(current).catch((error: unknown) => {
      onError(
        new FactoredError('unavailable', `Leaving the realtime channel of "${topic}" failed.`, {
          cause: error,
          details: { topic },
        }),
      );
    });
  };
  return { unsubscribe, ready };
}
