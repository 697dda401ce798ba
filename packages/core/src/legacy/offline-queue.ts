import type { QueuedEvent } from '../capture/queue.js';
import { parseJson } from '../capture/storage.js';
import type { EventPayload, SessionRecord } from '../capture/types.js';
import { componentPathProblem, isEventType, payloadProblem } from '../capture/validate.js';
import { murmur3_32 } from '../experiments/hash.js';
import { isUuid } from '../util/ids.js';

/**
 * Where a FactoredUI 0.5.1 client kept its unsent events (web: `localStorage`; React Native:
 * its async storage): a JSON array of 0.5.1 event rows (`event_type`, `component_path`,
 * `payload`, `session_id`, `user_id`).
 */
export const LEGACY_QUEUE_KEY = 'factoredui:offline_queue';

/** The 0.5.1 offline queue converted to current events ({@link convertLegacyQueue}). */
export interface ConvertedLegacyQueue {
  /** Valid rows, as queued events (ids derived from the queue, so a second drain repeats them). */
  events: QueuedEvent[];
  /**
   * Rows dropped: an unknown type, a bad path or payload, or another user's. A value that is
   * not JSON counts as one.
   */
  invalid: number;
}

/** A UUIDv7-shaped id (time 0: older than any current event) from the hash of `text`. */
const derivedId = (text: string) => {
  const h = [0, 1, 2].map((seed) => murmur3_32(text, seed).toString(16).padStart(8, '0')).join('');
  return `00000000-0000-7${h.slice(0, 3)}-8${h.slice(3, 6)}-${h.slice(6, 18)}`;
};

/**
 * Converts the 0.5.1 offline queue (the raw value of {@link LEGACY_QUEUE_KEY}) to current
 * events of `userId`, dated `now` (0.5.1 rows carry no time; its database dated them on
 * insert), and adds their sessions to `sessions`. Every row gets an id derived from the user,
 * the whole queue and the row's position, so converting the same queue again gives the same
 * ids (the queue and the store skip the ones they hold); rows without a UUID session share
 * one derived session. Rows are validated like any event and dropped (counted in `invalid`)
 * when they fail or belong to another user. `input`, `focus` and `blur` rows lose their
 * payload, so no typed value is carried over. Never throws.
 */
export function convertLegacyQueue(
  raw: string,
  userId: string,
  now: number,
  sessions: Map<string, SessionRecord>,
): ConvertedLegacyQueue {
  // A value that is not an array (corrupt JSON included) is one invalid row.
  const rows: unknown[] = [parseJson(raw)].flat();
  const base = derivedId(`${userId}\n${raw}`);
  const createdAt = new Date(now).toISOString();
  const events: QueuedEvent[] = [];
  rows.forEach((row, i) => {
    const r = (row ?? {}) as Record<string, unknown>;
    const type = r.event_type;
    // Typed values never reach the store: 0.5.1's input, focus and blur payloads are dropped.
    const payload = /^(input|focus|blur)$/.test(type as string) ? {} : (r.payload ?? {});
    const sessionId = isUuid(r.session_id) ? r.session_id : derivedId(base);
    if (
      (r.user_id ?? userId) !== userId ||
      !isEventType(type) ||
      componentPathProblem(r.component_path) ||
      payloadProblem(payload)
    )
      return;
    if (!sessions.has(sessionId))
      sessions.set(sessionId, {
        id: sessionId,
        startedAt: createdAt,
        metadata: { platform: 'unknown' },
      });
    events.push({
      id: derivedId(base + i),
      sessionId,
      type,
      path: r.component_path as string,
      payload: payload as EventPayload,
      createdAt,
    });
  });
  return { events, invalid: rows.length - events.length };
}
