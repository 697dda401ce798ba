import { FactoredError } from '../errors.js';
import { jsonLimitProblem, LIMITS, stringLimitProblem } from '../limits.js';
import { isUuid } from '../util/ids.js';
import { customPayloadProblem } from './custom.js';
import { EVENT_TYPES, type EventType, type FactoredEvent, type NewSession } from './types.js';

/** Longest accepted component path, in UTF-16 code units (`LIMITS.pathChars`). */
export const MAX_PATH_LENGTH = LIMITS.pathChars;
/**
 * Largest accepted payload, in bytes of JSON (`LIMITS.eventPayloadBytes`).
 * @deprecated Use `LIMITS.eventPayloadBytes`; payloads are measured in bytes now.
 */
export const MAX_PAYLOAD_CHARS = LIMITS.eventPayloadBytes;

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
// Control characters have no place in a path and would corrupt logs and CSV exports.
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** True when `value` is one of {@link EVENT_TYPES}. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && EVENT_TYPE_SET.has(value);
}

/**
 * Why `path` is not a valid component path, or `null` when it is: one to four non-empty
 * segments joined by `/`, at most `LIMITS.pathChars` characters, no control characters.
 */
export function componentPathProblem(path: unknown): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'a component path is required';
  if (path.length > LIMITS.pathChars)
    return `a component path is ${path.length} characters long; the limit is ${LIMITS.pathChars} (LIMITS.pathChars)`;
  if (CONTROL_CHARS.test(path)) return 'a component path may not contain control characters';
  const segments = path.split('/');
  if (segments.length > 4)
    return 'a component path has at most 4 segments (flow/page/component/element)';
  if (segments.some((segment) => segment.trim().length === 0))
    return 'component path segments may not be empty';
  return null;
}

/** Throws `invalid_input` unless `path` is a valid component path. */
export function assertComponentPath(path: unknown, field = 'path'): asserts path is string {
  const problem = componentPathProblem(path);
  if (problem)
    throw new FactoredError('invalid_input', `${field}: ${problem}, got ${JSON.stringify(path)}.`, {
      details: { field },
    });
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_UTC.test(value) && Number.isFinite(Date.parse(value));
}

/**
 * Why `event` cannot be stored, or `null` when it can. Checks id (UUID), session and user
 * ids, type, path, time, that the payload is plain JSON of bounded size and, for a named
 * `custom` event, its name and numeric properties (`customPayloadProblem`).
 */
export function eventProblem(event: unknown): string | null {
  if (typeof event !== 'object' || event === null) return 'an event must be an object';
  const e = event as Partial<Record<keyof FactoredEvent, unknown>>;
  if (!isUuid(e.id)) return `event id must be a UUID, got ${JSON.stringify(e.id)}`;
  if (!isUuid(e.sessionId))
    return `event ${e.id}: sessionId must be a UUID, got ${JSON.stringify(e.sessionId)}`;
  if (typeof e.userId !== 'string' || e.userId.length === 0)
    return `event ${e.id}: userId is required`;
  const userIdProblem = stringLimitProblem(e.userId, 'userId', LIMITS.userIdChars);
  if (userIdProblem) return `event ${e.id}: ${userIdProblem}`;
  if (!isEventType(e.type))
    return `event ${e.id}: unknown event type ${JSON.stringify(e.type)} (expected one of ${EVENT_TYPES.join(', ')})`;
  const pathProblem = componentPathProblem(e.path);
  if (pathProblem) return `event ${e.id}: ${pathProblem}`;
  if (!isIsoTime(e.createdAt))
    return `event ${e.id}: createdAt must be an ISO 8601 time, got ${JSON.stringify(e.createdAt)}`;
  const payload = payloadProblem(e.payload);
  if (payload) return `event ${e.id}: ${payload}`;
  if (e.type === 'custom') {
    const custom = customPayloadProblem(e.payload as Record<string, unknown>);
    if (custom) return `event ${e.id}: ${custom}`;
  }
  return null;
}

/**
 * Why `payload` cannot be an event payload, or `null` when it can: a plain JSON object (no
 * class instances, functions, `undefined`, non-finite numbers, cycles, U+0000) nested at most
 * `LIMITS.jsonDepth` deep and at most `LIMITS.eventPayloadBytes` bytes of JSON.
 */
export function payloadProblem(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return 'payload must be a plain JSON object';
  return jsonLimitProblem(payload, 'payload', 'eventPayloadBytes');
}

/** Throws `invalid_input` naming the first bad event of `events`. */
export function assertValidEvents(
  events: readonly unknown[],
): asserts events is readonly FactoredEvent[] {
  if (!Array.isArray(events)) throw new FactoredError('invalid_input', 'events must be an array.');
  if (events.length > LIMITS.eventsPerBatch)
    throw new FactoredError(
      'invalid_input',
      `${events.length} events in one insertEvents call; the limit is ${LIMITS.eventsPerBatch} (LIMITS.eventsPerBatch): send them in smaller batches.`,
      { details: { field: 'events' } },
    );
  for (const event of events) {
    const problem = eventProblem(event);
    if (problem) throw new FactoredError('invalid_input', `${problem}.`);
  }
}

/** Throws `invalid_input` unless `session` is a well-formed {@link NewSession}. */
export function assertValidSession(session: unknown): asserts session is NewSession {
  const s = (session ?? {}) as Partial<Record<keyof NewSession, unknown>>;
  if (!isUuid(s.id))
    throw new FactoredError(
      'invalid_input',
      `session id must be a UUID, got ${JSON.stringify(s.id)}.`,
    );
  if (typeof s.userId !== 'string' || s.userId.length === 0)
    throw new FactoredError('invalid_input', `session ${s.id}: userId is required.`);
  const userIdProblem = stringLimitProblem(s.userId, 'userId', LIMITS.userIdChars);
  if (userIdProblem)
    throw new FactoredError('invalid_input', `session ${s.id}: ${userIdProblem}.`, {
      details: { field: 'userId' },
    });
  if (!isIsoTime(s.startedAt))
    throw new FactoredError(
      'invalid_input',
      `session ${s.id}: startedAt must be an ISO 8601 time.`,
    );
  const problem = metadataProblem(s.metadata);
  if (problem)
    throw new FactoredError('invalid_input', `session ${s.id}: ${problem}.`, {
      details: { field: 'metadata' },
    });
}

/**
 * Why `metadata` cannot be session metadata, or `null`: a plain JSON object with a string
 * `platform`, nested at most `LIMITS.jsonDepth` deep, at most `LIMITS.sessionMetadataBytes`
 * bytes of JSON, each top-level string at most `LIMITS.metadataValueChars` characters and the
 * platform at most `LIMITS.platformChars`.
 */
export function metadataProblem(metadata: unknown): string | null {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    return 'metadata must be a plain JSON object';
  const problem = jsonLimitProblem(metadata, 'metadata', 'sessionMetadataBytes');
  if (problem) return problem;
  const platform = (metadata as { platform?: unknown }).platform;
  if (typeof platform !== 'string') return 'metadata.platform is required';
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') continue;
    const max = key === 'platform' ? LIMITS.platformChars : LIMITS.metadataValueChars;
    const tooLong = stringLimitProblem(value, `metadata.${key}`, max);
    if (tooLong)
      return `${tooLong} (LIMITS.${key === 'platform' ? 'platformChars' : 'metadataValueChars'})`;
  }
  return null;
}
