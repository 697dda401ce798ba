import {
  assertValidEvents,
  assertValidSession,
  FactoredError,
  jsonLimitProblem,
  LIMITS,
  measureJson,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

/** JSON text as PostgreSQL's jsonb output writes it: ", " and ": " separators. */
function postgresText(value: unknown): string {
  return JSON.stringify(value, null, 1)
    .replace(/\n\s*/g, ' ')
    .replace(/\[ /g, '[')
    .replace(/ \]/g, ']')
    .replace(/\{ /g, '{')
    .replace(/ \}/g, '}');
}

describe('measureJson', () => {
  it('counts bytes as PostgreSQL writes JSON (for values without exponent numbers)', () => {
    for (const value of [
      {},
      [],
      { a: 1, b: [true, null, 'x'], c: { d: [] } },
      ['café ☕ 𝄞', '"\\\n\t\u0001'],
      { nested: { deeper: [[1, 2], [3]] } },
    ]) {
      const text = postgresText(value);
      expect(measureJson(value)).toMatchObject({
        bytes: new TextEncoder().encode(text).length,
      });
    }
  });

  it('counts every single character the same on the plain-ASCII fast path and off it', () => {
    // Each code unit 0x01..0x7f and a few beyond, alone and inside plain text: the fast path
    // must agree with encoding the escaped text.
    const units = [
      ...Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)),
      'é',
      '☕',
      '𝄞',
    ];
    for (const unit of units) {
      for (const text of [unit, `plain ${unit} text`]) {
        const literal = new TextEncoder().encode(JSON.stringify(text)).length;
        expect(measureJson(text), JSON.stringify(text)).toMatchObject({ bytes: literal });
        // `{"k": "v"}`: braces, ": " and both literals.
        expect(measureJson({ [text]: text })).toMatchObject({ bytes: 4 + 2 * literal });
      }
    }
  });

  it('writes numbers out in full, as PostgreSQL numeric does', () => {
    expect(measureJson(1.5e21)).toEqual({ bytes: 22, depth: 0 });
    expect(measureJson(1e-7)).toEqual({ bytes: 9, depth: 0 });
    expect(measureJson(-2.5e-8)).toEqual({ bytes: 12, depth: 0 }); // -0.000000025
    expect(measureJson(-0)).toEqual({ bytes: 1, depth: 0 });
  });

  it('measures depth without recursion: 200,000 levels do not overflow the stack', () => {
    let value: unknown = 1;
    for (let i = 0; i < 200_000; i += 1) value = [value];
    expect(measureJson(value)).toMatchObject({ depth: 200_000 });
  });

  it('accepts shared values, refuses cycles and what is not JSON', () => {
    const shared = { x: 1 };
    expect(measureJson({ a: shared, b: shared })).toMatchObject({ depth: 2 });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const bad of [
      cycle,
      { a: undefined },
      { a: Number.NaN },
      { a: () => 1 },
      new Date(0),
      { s: 'a\u0000b' },
      { '\ud800': 1 },
    ]) {
      expect(measureJson(bad)).toHaveProperty('problem');
    }
  });

  it('names the field, the limit and the size', () => {
    expect(
      jsonLimitProblem({ s: 'x'.repeat(LIMITS.eventPayloadBytes) }, 'payload', 'eventPayloadBytes'),
    ).toBe(
      `payload is ${LIMITS.eventPayloadBytes + 9} bytes of JSON; the limit is ${LIMITS.eventPayloadBytes} bytes (LIMITS.eventPayloadBytes)`,
    );
  });
});

describe('validators apply LIMITS', () => {
  const session = {
    id: '00000000-0000-4000-8000-000000000001',
    userId: 'u1',
    startedAt: '2026-01-01T00:00:00.000Z',
    metadata: { platform: 'web' },
  };
  it('refuses a session with 10 MB of metadata with invalid_input, not a RangeError', () => {
    const big = { ...session, metadata: { platform: 'web', blob: 'x'.repeat(10 * 1024 * 1024) } };
    expect(() => assertValidSession(big)).toThrowError(FactoredError);
    expect(() => assertValidSession(big)).toThrowError(/LIMITS\.sessionMetadataBytes/);
  });
  it('refuses an event payload nested 10,000 deep with invalid_input', () => {
    let payload: Record<string, unknown> = {};
    for (let i = 1; i < 10_000; i += 1) payload = { d: payload };
    const event = {
      id: '00000000-0000-4000-8000-000000000002',
      sessionId: session.id,
      userId: 'u1',
      type: 'custom',
      path: 'shop/cart',
      payload,
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    expect(() => assertValidEvents([event])).toThrowError(
      /nested 10000 levels deep; the limit is 64/,
    );
  });
});

describe('envelope name and platform limits agree with LIMITS', () => {
  it('accepts names of LIMITS.specNameChars and platforms of LIMITS.platformChars, not one more', async () => {
    const { createDevSpecSigner, envelopeProblem } = await import('@factoredui/core');
    const spec = { spec_version: 1, renderer_min: 1, root: { id: 'r', type: 'spacer' } };
    const envelope = await createDevSpecSigner().sign(spec, {
      name: 'n'.repeat(LIMITS.specNameChars),
      platform: 'p'.repeat(LIMITS.platformChars),
      version: 1,
    });
    expect(envelopeProblem(envelope)).toBeNull();
    expect(envelopeProblem({ ...envelope, name: 'n'.repeat(LIMITS.specNameChars + 1) })).toMatch(
      /envelope\.name/,
    );
    expect(
      envelopeProblem({ ...envelope, platform: 'p'.repeat(LIMITS.platformChars + 1) }),
    ).toMatch(/envelope\.platform/);
  });
});
