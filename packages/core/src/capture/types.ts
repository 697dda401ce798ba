import type { JsonObject } from '../util/json.js';

/**
 * Every kind of event the capture pipeline records. `custom` is for `track()` calls; the
 * factor engine ignores it except as "any event".
 */
export const EVENT_TYPES = [
  'click',
  'rage_click',
  'dead_click',
  'scroll',
  'scroll_reversal',
  'input',
  'focus',
  'blur',
  'submit',
  'resize',
  'error',
  'visibility',
  'navigation',
  'impression',
  'custom',
] as const;

/** One of {@link EVENT_TYPES}. */
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * A component path: `flow/page/component/element`, one to four non-empty segments joined by
 * `/` (for example `checkout/review/payment-form/submit`).
 */
export type ComponentPath = string;

/** The platform a session runs on. */
export type Platform = 'web' | 'ios' | 'android' | 'server' | (string & {});

/** Free-form event payload; must be plain JSON. Never holds a typed input value. */
export type EventPayload = JsonObject;

/** One captured interaction, as stored. */
export interface FactoredEvent {
  /** Client-generated, time-ordered id (UUIDv7). Writing the same id twice stores it once. */
  id: string;
  /** The session the event belongs to. */
  sessionId: string;
  /** The user who produced it. */
  userId: string;
  /** What happened. */
  type: EventType;
  /** Where it happened. */
  path: ComponentPath;
  /** Event-specific details (coordinates, action names, structural counts...). */
  payload: EventPayload;
  /** When it happened on the client, ISO 8601 UTC with milliseconds. */
  createdAt: string;
}

/** Session metadata recorded once per session. */
export interface SessionMetadata {
  platform: Platform;
  viewport?: { width: number; height: number };
  userAgent?: string;
  appVersion?: string;
  osVersion?: string;
  locale?: string;
  deviceType?: 'desktop' | 'mobile' | 'tablet' | (string & {});
  /** Anything else the host wants targeting rules to see. Plain JSON. */
  [key: string]: unknown;
}

/** A session: a run of activity with no gap longer than the inactivity timeout. */
export interface Session {
  id: string;
  userId: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  metadata: SessionMetadata;
}

/** What a writer sends to start a session. `startSession` is idempotent on `id`. */
export interface NewSession {
  id: string;
  userId: string;
  startedAt: string;
  metadata: SessionMetadata;
}

/** Result of an idempotent batch insert. */
export interface InsertEventsResult {
  /** Events newly stored. */
  inserted: number;
  /** Events whose id was already stored (a retried batch); they were left unchanged. */
  duplicates: number;
}

/** Filters for reading events back. Results are ordered by `createdAt`, then `id`. */
export interface EventQuery {
  userId?: string;
  sessionId?: string;
  path?: ComponentPath;
  types?: readonly EventType[];
  /** Inclusive lower bound on `createdAt`. */
  since?: string;
  /** Inclusive upper bound on `createdAt`. */
  until?: string;
  /** At most this many events (default: all). */
  limit?: number;
}

/**
 * A session as the capture pipeline knows it on the client: a {@link NewSession} before the
 * user it belongs to is attached (the event writer adds the store's user when it writes).
 */
export type SessionRecord = Omit<NewSession, 'userId'>;
