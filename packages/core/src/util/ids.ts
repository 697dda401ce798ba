import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';

/** A new time-ordered id (UUIDv7): sorts by creation time, unique across clients. */
export function createEventId(): string {
  return uuidv7();
}

/** A new random id (UUIDv4), for sessions and anonymous users. */
export function createRandomId(): string {
  return uuidv4();
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a UUID in canonical text form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
