/*
 * UUIDs (RFC 9562) on `crypto.getRandomValues`, in a few lines instead of a dependency (the
 * capture path's size budget): v7 for events, v4 for sessions and anonymous users.
 */

// One getRandomValues call per 16 ids: the call, not the bytes, is what costs on the hot path.
const POOL_BYTES = 256;
let pool = new Uint8Array(0);
let poolOffset = 0;

function randomBytes(): Uint8Array {
  if (poolOffset + 16 > pool.length) {
    const crypto = globalThis.crypto;
    if (!crypto?.getRandomValues)
      throw new Error('crypto.getRandomValues() is missing (React Native: add a polyfill).');
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    poolOffset = 0;
  }
  poolOffset += 16;
  return pool.slice(poolOffset - 16, poolOffset);
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function format(b: Uint8Array): string {
  const h = (i: number) => HEX[b[i] as number] as string;
  return (
    h(0) +
    h(1) +
    h(2) +
    h(3) +
    '-' +
    h(4) +
    h(5) +
    '-' +
    h(6) +
    h(7) +
    '-' +
    h(8) +
    h(9) +
    '-' +
    h(10) +
    h(11) +
    h(12) +
    h(13) +
    h(14) +
    h(15)
  );
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
