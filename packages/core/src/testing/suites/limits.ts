import { describe, expect, it } from 'vitest';
import type { FactoredEvent, NewSession } from '../../capture/types.js';
import { LIMITS, measureJson } from '../../limits.js';
import type { JsonObject, JsonValue } from '../../util/json.js';
import type { SuiteContext } from '../context.js';
import { expectCode } from '../expect.js';
import { TEST_USERS, testUuid } from '../harness.js';

const T0 = '2026-01-05T10:00:00.000Z';

/** A session whose metadata may break the limits (so it is typed as plain JSON). */
function session(userId: string, n: number, metadata: JsonObject = { platform: 'web' }) {
  return { id: testUuid(0x11a1, n), userId, startedAt: T0, metadata } as unknown as NewSession;
}

let eventN = 0;
function event(s: NewSession, overrides: Partial<FactoredEvent> = {}): FactoredEvent {
  eventN += 1;
  return {
    id: testUuid(0x11a2, eventN),
    sessionId: s.id,
    userId: s.userId,
    type: 'custom',
    path: 'shop/checkout/pay',
    payload: {},
    createdAt: T0,
    ...overrides,
  };
}

/** `{"d": {"d": ... {}}}`: an object nested `depth` levels deep. */
export function nested(depth: number): JsonObject {
  let value: JsonObject = {};
  for (let i = 1; i < depth; i += 1) value = { d: value };
  return value;
}

/** Bytes of JSON as the limits count them (throws for non-JSON). */
function bytesOf(value: JsonValue): number {
  const measure = measureJson(value);
  if ('problem' in measure) throw new Error(measure.problem);
  return measure.bytes;
}

/**
 * `base` with `pad` set to a string that makes the whole value exactly `bytes` bytes of JSON.
 * The base holds what is easy to miscount: numbers JavaScript writes with an exponent,
 * multi-byte characters and escapes.
 */
function exactly(bytes: number, base: JsonObject, pad: (fill: string) => JsonObject): JsonObject {
  const empty = pad('');
  const missing = bytes - bytesOf({ ...base, ...empty });
  const value = { ...base, ...pad('x'.repeat(missing)) };
  expect(bytesOf(value)).toBe(bytes);
  return value;
}

const TRICKY: JsonObject = {
  numbers: [1e-7, 1.5e21, -2.5e-8, 0.1, 9007199254740991, 5e-324],
  text: 'café ☕ 𝄞 "quoted" \\ back\nslash \u0001 </script>',
  empty: [{}, [], ''],
  deep: nested(40),
};

/**
 * Input limits (DESIGN §15): every store refuses what breaks `LIMITS` with `invalid_input`
 * naming the field, the limit and the size, stores nothing of it, and accepts (and round-trips)
 * values exactly at the limits, which shows the store measures as core does.
 */
export function limitsConformance(ctx: SuiteContext): void {
  describe('input limits', () => {
    it('refuses 10 MB of session metadata, naming the field, the limit and the size', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const metadata = { platform: 'web', blob: { text: 'x'.repeat(10 * 1024 * 1024) } };
      const error = await expectCode(
        store.startSession(session(TEST_USERS.alice, 1, metadata)),
        'invalid_input',
      );
      expect(error.message).toContain('metadata');
      expect(error.message).toContain(String(LIMITS.sessionMetadataBytes));
      expect(error.message).toContain(String(bytesOf(metadata)));
      expect(await store.listSessions()).toEqual([]);
    });

    it('refuses session metadata nested 10,000 deep (invalid_input, not a RangeError)', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const error = await expectCode(
        store.startSession(session(TEST_USERS.alice, 1, { platform: 'web', x: nested(10_000) })),
        'invalid_input',
      );
      expect(error.message).toContain('10001 levels deep');
      expect(error.message).toContain(`limit is ${LIMITS.jsonDepth}`);
      expect(await store.listSessions()).toEqual([]);
    });

    it('refuses an event payload nested 10,000 deep (invalid_input, not a RangeError)', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const s = session(TEST_USERS.alice, 1);
      await store.startSession(s);
      const error = await expectCode(
        store.insertEvents([event(s, { payload: nested(10_000) })]),
        'invalid_input',
      );
      expect(error.message).toContain('payload is nested 10000 levels deep');
      expect(await store.listEvents()).toEqual([]);
    });

    it('refuses an event payload one byte over LIMITS.eventPayloadBytes', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const s = session(TEST_USERS.alice, 1);
      await store.startSession(s);
      const payload = exactly(LIMITS.eventPayloadBytes + 1, TRICKY, (pad) => ({ pad }));
      const error = await expectCode(store.insertEvents([event(s, { payload })]), 'invalid_input');
      expect(error.message).toContain(
        `payload is ${LIMITS.eventPayloadBytes + 1} bytes of JSON; the limit is ${LIMITS.eventPayloadBytes} bytes`,
      );
      expect(await store.listEvents()).toEqual([]);
    });

    it('accepts and round-trips a payload and metadata exactly at the byte and depth limits', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const metadata = exactly(
        LIMITS.sessionMetadataBytes,
        { platform: 'web', deep: nested(LIMITS.jsonDepth - 1), tricky: TRICKY },
        (pad) => ({ extra: { pad } }),
      );
      const s = session(TEST_USERS.alice, 1, metadata);
      expect(await store.startSession(s)).toEqual(s);
      const payload = exactly(
        LIMITS.eventPayloadBytes,
        { ...TRICKY, deep: nested(LIMITS.jsonDepth - 1) },
        (pad) => ({ pad }),
      );
      const e = event(s, { payload });
      expect(await store.insertEvents([e])).toEqual({ inserted: 1, duplicates: 0 });
      const [stored] = await store.listEvents();
      expect(stored?.payload).toEqual(payload);
      expect((await store.getSession(s.id)).metadata).toEqual(metadata);
    });

    it('refuses JSON one level deeper than LIMITS.jsonDepth in payloads and metadata', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      await expectCode(
        store.startSession(
          session(TEST_USERS.alice, 1, { platform: 'web', x: nested(LIMITS.jsonDepth) }),
        ),
        'invalid_input',
      );
      const s = session(TEST_USERS.alice, 2);
      await store.startSession(s);
      await expectCode(
        store.insertEvents([event(s, { payload: { x: nested(LIMITS.jsonDepth) } })]),
        'invalid_input',
      );
      expect(await store.listEvents()).toEqual([]);
    });

    it('refuses over-long strings: path, user id, metadata values and platform', async () => {
      const service = await ctx.service();
      const longUser = 'u'.repeat(LIMITS.userIdChars + 1);
      const userError = await expectCode(
        service.startSession(session(longUser, 1)),
        'invalid_input',
      );
      expect(userError.message).toContain(`userId is ${LIMITS.userIdChars + 1} characters long`);
      const agent = 'a'.repeat(LIMITS.metadataValueChars + 1);
      const agentError = await expectCode(
        service.startSession(session(TEST_USERS.alice, 2, { platform: 'web', userAgent: agent })),
        'invalid_input',
      );
      expect(agentError.message).toContain('metadata.userAgent');
      expect(agentError.message).toContain(String(LIMITS.metadataValueChars));
      await expectCode(
        service.startSession(
          session(TEST_USERS.alice, 3, { platform: 'p'.repeat(LIMITS.platformChars + 1) }),
        ),
        'invalid_input',
      );
      const s = session(TEST_USERS.alice, 4);
      await service.startSession(s);
      const path = `shop/${'p'.repeat(LIMITS.pathChars)}`;
      const pathError = await expectCode(
        service.insertEvents([event(s, { path })]),
        'invalid_input',
      );
      expect(pathError.message).toContain(`${path.length} characters long`);
      expect((await service.listSessions()).map((x) => x.id)).toEqual([s.id]);
      expect(await service.listEvents()).toEqual([]);
    });

    it('refuses U+0000 and unpaired surrogates, which the database cannot store', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const s = session(TEST_USERS.alice, 1);
      await store.startSession(s);
      for (const text of ['nul \u0000 inside', 'lone \ud800 surrogate']) {
        await expectCode(store.insertEvents([event(s, { payload: { text } })]), 'invalid_input');
        await expectCode(
          store.insertEvents([event(s, { payload: { [text]: 1 } })]),
          'invalid_input',
        );
      }
      expect(await store.listEvents()).toEqual([]);
    });

    it('refuses more than LIMITS.eventsPerBatch events in one insertEvents call and takes exactly that many', async () => {
      const store = await ctx.user(TEST_USERS.alice);
      const s = session(TEST_USERS.alice, 5);
      await store.startSession(s);
      const batch = Array.from({ length: LIMITS.eventsPerBatch + 1 }, () => event(s));
      const error = await expectCode(store.insertEvents(batch), 'invalid_input');
      expect(error.message).toContain(
        `${LIMITS.eventsPerBatch + 1} events in one insertEvents call; the limit is ${LIMITS.eventsPerBatch} (LIMITS.eventsPerBatch)`,
      );
      expect(await store.listEvents()).toEqual([]);
      expect(await store.insertEvents(batch.slice(1))).toEqual({
        inserted: LIMITS.eventsPerBatch,
        duplicates: 0,
      });
    });

    it('refuses service-only experiment definitions over the limits, and accepts them at the limits', async () => {
      const service = await ctx.service();
      const base = {
        name: 'limits-experiment',
        path: 'shop/checkout/pay',
        variants: [
          { key: 'control', weight: 50 },
          { key: 'b', weight: 50 },
        ],
      };
      const many = (count: number) =>
        Array.from({ length: count }, (_, i) => ({
          key: i === 0 ? 'control' : `v${i}`,
          weight: i === 0 ? 100 - (count - 1) : 1,
        }));
      const config = (bytes: number) => exactly(bytes, {}, (fill) => ({ pad: fill }));
      const rule = { kind: 'metadata', field: 'app_version', operator: 'eq', value: '1' } as const;
      const over: [string, Record<string, unknown>][] = [
        ['name', { name: 'n'.repeat(LIMITS.experimentNameChars + 1) }],
        ['seed', { seed: 's'.repeat(LIMITS.experimentNameChars + 1) }],
        ['description', { description: 'd'.repeat(LIMITS.experimentDescriptionChars + 1) }],
        ['variants', { variants: many(LIMITS.experimentVariants + 1) }],
        [
          'variants[1].config',
          {
            variants: [
              base.variants[0],
              { key: 'b', weight: 50, config: config(LIMITS.variantConfigBytes + 1) },
            ],
          },
        ],
        [
          'variants[1].config',
          {
            variants: [
              base.variants[0],
              { key: 'b', weight: 50, config: nested(LIMITS.jsonDepth + 1) },
            ],
          },
        ],
        [
          'targeting',
          { targeting: Array.from({ length: LIMITS.experimentTargetingRules + 1 }, () => rule) },
        ],
        [
          'targeting[0]',
          { targeting: [{ ...rule, value: 'x'.repeat(LIMITS.variantConfigBytes) }] },
        ],
        [
          'platforms',
          { platforms: Array.from({ length: LIMITS.experimentPlatforms + 1 }, (_, i) => `p${i}`) },
        ],
        ['platforms[0]', { platforms: ['p'.repeat(LIMITS.platformChars + 1)] }],
      ];
      for (const [field, change] of over) {
        const error = await expectCode(
          service.insertExperiment({ ...base, ...change } as never),
          'invalid_input',
        );
        expect(error.details?.field, field).toBe(field);
      }
      expect(await service.listExperiments()).toEqual([]);
      const atLimits = await service.insertExperiment({
        ...base,
        name: 'n'.repeat(LIMITS.experimentNameChars),
        description: 'd'.repeat(LIMITS.experimentDescriptionChars),
        variants: many(LIMITS.experimentVariants).map((v, i) =>
          i === 1 ? { ...v, config: config(LIMITS.variantConfigBytes) } : v,
        ),
        targeting: Array.from({ length: LIMITS.experimentTargetingRules }, () => rule),
        platforms: Array.from({ length: LIMITS.experimentPlatforms }, (_, i) =>
          `${i}`.padEnd(LIMITS.platformChars, 'p'),
        ),
        coverage: 1,
        seed: 's'.repeat(LIMITS.experimentNameChars),
      } as never);
      expect(atLimits.variants).toHaveLength(LIMITS.experimentVariants);
      expect(bytesOf(atLimits.variants[1]?.config ?? {})).toBe(LIMITS.variantConfigBytes);
      expect(await service.getExperiment(atLimits.id)).toEqual(atLimits);
    });

    it('refuses a governance log entry over LIMITS.governanceLogEntryBytes or nested deeper than LIMITS.jsonDepth', async () => {
      const service = await ctx.service();
      const experiment = await service.insertExperiment({
        name: 'limits-log',
        path: 'shop/checkout/pay',
        variants: [
          { key: 'control', weight: 50 },
          { key: 'b', weight: 50 },
        ],
      } as never);
      const entry = (n: number, extra: Record<string, unknown>) =>
        ({
          id: testUuid(0x11a3, n),
          experimentId: experiment.id,
          evaluatedAt: T0,
          controlKey: 'control',
          weights: { control: 50, b: 50 },
          assigned: { control: 0, b: 0 },
          srm: { tested: false, statistic: 0, df: 1, pValue: 1, flagged: false },
          factors: [],
          settings: {},
          verdict: 'continue',
          winner: null,
          reason: 'limits',
          ...extra,
        }) as never;
      const huge = await expectCode(
        service.appendGovernanceLog(
          entry(1, { reason: 'r'.repeat(LIMITS.governanceLogEntryBytes) }),
        ),
        'invalid_input',
      );
      expect(huge.message).toContain(`the limit is ${LIMITS.governanceLogEntryBytes} bytes`);
      const deep = await expectCode(
        service.appendGovernanceLog(entry(2, { settings: nested(LIMITS.jsonDepth) })),
        'invalid_input',
      );
      expect(deep.message).toContain(`the limit is ${LIMITS.jsonDepth}`);
      expect(await service.listGovernanceLog()).toEqual([]);
      expect((await service.appendGovernanceLog(entry(3, {}))).reason).toBe('limits');
    });
  });
}
