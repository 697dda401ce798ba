import { canonicalJson, createSeededRandom } from '@factoredui/core';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';

const UNITS = [
  'a',
  'Z',
  ' ',
  '"',
  '\\',
  '/',
  '\u0000',
  '\u0001',
  '\n',
  '\u001f',
  '\u007f',
  '\u0080',
  'é',
  '\u2028',
  '\ud7ff',
  '\ue000',
  '\uffff',
  '☕',
  '\ud834\udd1e',
  '\ud800',
  '\udfff',
  '€',
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e21,
  1e-7,
  -2.5e-8,
  123456789.125,
  2 ** 53,
  5e-324,
  1.7976931348623157e308,
];

function randomString(random: () => number): string {
  let out = '';
  const length = Math.floor(random() * 6);
  for (let i = 0; i < length; i++) out += UNITS[Math.floor(random() * UNITS.length)];
  return out;
}

function randomJson(random: () => number, depth: number): unknown {
  const r = random();
  if (depth > 3 || r < 0.35) {
    const leaf = random();
    if (leaf < 0.4) return randomString(random);
    if (leaf < 0.75) return NUMBERS[Math.floor(random() * NUMBERS.length)];
    return leaf < 0.85 ? null : leaf < 0.93;
  }
  if (r < 0.6)
    return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--)
    object[randomString(random)] = randomJson(random, depth + 1);
  return object;
}

describe('canonical JSON (our RFC 8785 serializer)', () => {
  it('writes exactly what the canonicalize package writes, on 5,000 random values', () => {
    const random = createSeededRandom(8785);
    for (let i = 0; i < 5_000; i++) {
      const value = randomJson(random, 0);
      expect(canonicalJson(value)).toBe(canonicalize(value));
    }
  });

  it('sorts keys by UTF-16 code units, surrogate pairs included', () => {
    expect(canonicalJson({ '\ue000': 1, '\ud834\udd1e': 2, b: 3, a: 4 })).toBe(
      '{"a":4,"b":3,"\ud834\udd1e":2,"\ue000":1}',
    );
  });
});
