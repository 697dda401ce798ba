import type {
  EventQuery,
  FactoredEvent,
  InsertEventsResult,
  NewSession,
  Session,
} from '../capture/types.js';

/** Options of {@link CaptureCapability.insertEvents}. */
export interface InsertEventsOptions {
  /** The page is going away: send with keepalive/beacon semantics. Default `false`. */
  keepalive?: boolean;
}

/** Capture capability: sessions and append-only events. */
export interface CaptureCapability {
  /**
   * Records a session. Idempotent on `session.id`: starting the same session again returns the
   * stored one unchanged. Throws `invalid_input` for a malformed session, `unauthorized` when
   * a user store starts a session for another user.
   */
  startSession(session: NewSession): Promise<Session>;

  /** The session with this id. Throws `not_found` when it does not exist or is not visible. */
  getSession(sessionId: string): Promise<Session>;

  /** Sessions of a user, newest first. User stores see only their own. */
  listSessions(query?: { userId?: string; limit?: number }): Promise<Session[]>;

  /**
   * Appends a batch of events atomically and idempotently: an event whose `id` is already
   * stored is skipped and counted as a duplicate, so a retried batch never duplicates rows.
   * Throws `invalid_input` (bad id, path, type, time or payload; nothing of the batch is
   * stored), `not_found` (unknown session), `unauthorized` (an event for another user).
   *
   * `options.keepalive` marks the write the capture pipeline sends while the page is being
   * hidden or unloaded: a network store should let the request outlive the page (`fetch`
   * with `keepalive: true`, body under 64 kB). Stores without a network ignore it.
   */
  insertEvents(
    events: readonly FactoredEvent[],
    options?: InsertEventsOptions,
  ): Promise<InsertEventsResult>;

  /** Events matching `query`, ordered by `createdAt` then `id`. User stores see only their own. */
  listEvents(query?: EventQuery): Promise<FactoredEvent[]>;
}
