/*
 * UUIDs (RFC 9562) on `crypto.getRandomValues`, in a few lines instead of a dependency (the
 * capture path's size budget): v7 for events, v4 for sessions and anonymous users.
 */

function randomBytes(): Uint8Array {
  const crypto = globalThis.crypto;
  if (!crypto?.getRandomValues)
    throw new Error('crypto.getRandomValues() is missing (React Native: add a polyfill).');
  return crypto.getRandomValues(new Uint8Array(16));
}

function format(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// v7 state: the last timestamp used and a 30-bit counter (RFC 9562 §6.2, method 1) in rand_a
// and the top of rand_b, so ids made in the same millisecond still sort in creation order.
let lastMs = Number.NEGATIVE_INFINITY;
let counter = 0;

/** A new time-ordered id (UUIDv7): sorts by creation time, unique across clients. */
export function createEventId(): string {
  const bytes = randomBytes();
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // A random start with the top bit clear leaves room to count up within the millisecond.
    counter =
      ((bytes[6] as number) << 21) |
      ((bytes[7] as number) << 13) |
      ((bytes[8] as number) << 5) |
      ((bytes[9] as number) >>> 3);
  } else if (++counter > 0x3fffffff) {
    // The counter ran out (or the clock went back that far): borrow the next millisecond.
    lastMs += 1;
    counter = 0;
  }
  let ms = lastMs;
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (counter >>> 26);
  bytes[7] = (counter >>> 18) & 0xff;
  bytes[8] = 0x80 | ((counter >>> 12) & 0x3f);
  bytes[9] = (counter >>> 4) & 0xff;
  bytes[10] = ((counter & 0x0f) << 4) | ((bytes[10] as number) & 0x0f);
  return format(bytes);
}

/** A new random id (UUIDv4), for sessions and anonymous users. */
export function createRandomId(): string {
  const bytes = randomBytes();
  bytes[6] = 0x40 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  return format(bytes);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a UUID in canonical text form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
