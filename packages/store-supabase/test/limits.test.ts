import {
  createEd25519Signer,
  type JsonObject,
  type JsonValue,
  LIMITS,
  measureJson,
} from '@factoredui/core';
import { TEST_USERS, testUuid } from '@factoredui/core/testing';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPGliteDatabase,
  createServerDatabase,
  DATABASE_URL,
  type TestDatabase,
} from './harness/databases.js';

/**
 * The limits and spec-envelope rules enforced by the database itself: every attack here skips
 * core and calls the RPCs (or the tables) directly, as a hostile client with PostgREST access
 * would. Run on PGlite and, with DATABASE_URL, on PostgreSQL.
 */

const A = TEST_USERS.alice;
const USER = { sub: A, role: 'authenticated' };
const SERVICE = { role: 'service_role' };

interface Outcome {
  code: string;
  message: string;
}

type Queryable = { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> };

/** Runs `statement` as `role` with `claims` in a rolled-back transaction; 'ok' or the error. */
async function attempt(
  db: TestDatabase,
  role: string,
  claims: object,
  statement: string,
  params: unknown[] = [],
): Promise<Outcome> {
  const run = async (client: Queryable): Promise<Outcome> => {
    await client.query('begin');
    try {
      await client.query(
        `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`,
        [role, JSON.stringify(claims)],
      );
      await client.query(statement, params);
      return { code: 'ok', message: '' };
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown };
      return { code: String(e.code), message: String(e.message) };
    } finally {
      await client.query('rollback');
    }
  };
  if (db.kind === 'pglite') return run(db.sql as unknown as Queryable);
  const client = await (db.sql as pg.Pool).connect();
  try {
    return await run(client);
  } finally {
    client.release();
  }
}

async function queryOwner<T>(db: TestDatabase, text: string, params: unknown[] = []): Promise<T[]> {
  return ((await (db.sql as unknown as Queryable).query(text, params)).rows ?? []) as T[];
}

/** JSON text of `value` with the string "__deep__" replaced by an object `depth` levels deep. */
function withDeep(value: unknown, depth: number): string {
  const deep = `${'{"d":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
  return JSON.stringify(value).replace('"__deep__"', deep);
}

function nested(depth: number): JsonObject {
  let value: JsonObject = {};
  for (let i = 1; i < depth; i += 1) value = { d: value };
  return value;
}

const sessionJson = (n: number, metadata: JsonValue) => ({
  id: testUuid(0x5a, n),
  userId: A,
  startedAt: '2026-01-05T10:00:00.000Z',
  metadata,
});

const eventJson = (n: number, sessionN: number, overrides: Record<string, unknown> = {}) => ({
  id: testUuid(0xe1, n),
  sessionId: testUuid(0x5a, sessionN),
  userId: A,
  type: 'custom',
  path: 'shop/checkout/pay',
  payload: {},
  createdAt: '2026-01-05T10:00:01.000Z',
  ...overrides,
});

const signer = createEd25519Signer({
  privateKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  keyId: 'limits',
});
const SPEC = {
  spec_version: 1,
  renderer_min: 1,
  root: { id: 'root', type: 'text', props: { content: 'Hello' } },
};

function limitsSuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`database limits (${name})`, () => {
    let db: TestDatabase;
    // PGlite (WebAssembly) cannot even parse JSON 10,000 deep: its stack overflows inside the
    // parser, before any of our SQL runs. Core refuses such values before they are sent; the
    // direct attacks use the deepest value each engine can parse.
    let hugeDepth = 10_000;
    beforeAll(async () => {
      db = await open();
      if (db.kind === 'pglite') hugeDepth = 2_000;
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.reset();
    });

    const startSession = (claims: object, session: unknown) =>
      attempt(db, 'authenticated', claims, 'select factoredui.start_session($1::jsonb)', [
        typeof session === 'string' ? session : JSON.stringify(session),
      ]);

    it('factoredui.limits() equals LIMITS of @factoredui/core', async () => {
      const [row] = await queryOwner<{ limits: Record<string, number> }>(
        db,
        'select factoredui.limits() as limits',
      );
      expect(row?.limits).toEqual({ ...LIMITS });
    });

    it('measures JSON as core does: bytes (octet_length of jsonb text) and json_depth', async () => {
      const samples: JsonValue[] = [
        {},
        [],
        'plain',
        { a: [1e-7, 1.5e21, -2.5e-8, 0.1, 5e-324, 1.7976931348623157e308, 123456789012345680000] },
        { text: 'café ☕ 𝄞 "q" \\ \n\t\u0001\u001f\u007f </script>', e: [{}, [], ''] },
        { '[{': '}]', nested: nested(30), arr: [[[[]]]] },
        nested(64),
        true,
        null,
        -12.5,
      ];
      for (const sample of samples) {
        const measure = measureJson(sample);
        if ('problem' in measure) throw new Error(measure.problem);
        const [row] = await queryOwner<{ bytes: number; depth: number }>(
          db,
          'select octet_length($1::jsonb::text) as bytes, factoredui.json_depth($1::jsonb) as depth',
          [JSON.stringify(sample)],
        );
        expect({ bytes: row?.bytes, depth: row?.depth }, JSON.stringify(sample)).toEqual(measure);
      }
    });

    describe('sessions (direct RPC and table, skipping core)', () => {
      it('refuses 10 MB of metadata by RPC, naming the field, the limit and the size', async () => {
        const metadata = { platform: 'web', blob: 'x'.repeat(10 * 1024 * 1024) };
        const outcome = await startSession(USER, sessionJson(1, metadata));
        expect(outcome.code).toBe('22023');
        expect(outcome.message).toContain(
          `metadata is ${(measureJson(metadata) as { bytes: number }).bytes} bytes of JSON; the limit is ${LIMITS.sessionMetadataBytes} bytes`,
        );
      });

      it('refuses metadata nested 10,000 deep by RPC and by INSERT', async () => {
        const outcome = await startSession(
          USER,
          withDeep(sessionJson(1, { platform: 'web', x: '__deep__' }), hugeDepth),
        );
        expect(outcome.code).toBe('22023');
        expect(outcome.message).toContain(`metadata is nested ${hugeDepth + 1} levels deep`);
        const insert = await attempt(
          db,
          'authenticated',
          USER,
          `insert into factoredui.sessions (id, user_id, started_at, metadata) values ($1, $2, now(), $3::jsonb)`,
          [testUuid(0x5a, 2), A, withDeep({ platform: 'web', x: '__deep__' }, hugeDepth)],
        );
        expect(insert.code).toBe('22023');
      });

      it('refuses metadata one level or one byte over the limit, and accepts it at the limit', async () => {
        expect(
          (await startSession(USER, sessionJson(1, { platform: 'web', x: nested(63) }))).code,
        ).toBe('ok');
        expect(
          (await startSession(USER, sessionJson(2, { platform: 'web', x: nested(64) }))).code,
        ).toBe('22023');
        const base = { platform: 'web', extra: { pad: '' } };
        const fill = LIMITS.sessionMetadataBytes - (measureJson(base) as { bytes: number }).bytes;
        const pad = `${'é'.repeat(Math.floor(fill / 2))}${fill % 2 ? 'x' : ''}`;
        const atLimit = { platform: 'web', extra: { pad } };
        expect((measureJson(atLimit) as { bytes: number }).bytes).toBe(LIMITS.sessionMetadataBytes);
        expect((await startSession(USER, sessionJson(3, atLimit))).code).toBe('ok');
        const over = { platform: 'web', extra: { pad: `${pad}x` } };
        expect((await startSession(USER, sessionJson(4, over))).code).toBe('22023');
      });

      it('refuses over-long metadata values and platforms', async () => {
        const agent = await startSession(
          USER,
          sessionJson(1, { platform: 'web', userAgent: 'a'.repeat(LIMITS.metadataValueChars + 1) }),
        );
        expect(agent).toEqual({
          code: '22023',
          message: expect.stringContaining(
            `metadata.userAgent is ${LIMITS.metadataValueChars + 1} characters long; the limit is ${LIMITS.metadataValueChars}`,
          ),
        });
        const platform = await startSession(
          USER,
          sessionJson(2, { platform: 'p'.repeat(LIMITS.platformChars + 1) }),
        );
        expect(platform.code).toBe('22023');
      });
    });

    describe('events (direct RPC and table, skipping core)', () => {
      it('refuses a payload nested 10,000 deep by RPC and by INSERT', async () => {
        const rpc = await attempt(
          db,
          'authenticated',
          USER,
          `select factoredui.start_session($1::jsonb), factoredui.insert_events($2::jsonb)`,
          [
            JSON.stringify(sessionJson(1, { platform: 'web' })),
            withDeep([eventJson(1, 1, { payload: '__deep__' })], hugeDepth),
          ],
        );
        expect(rpc.code).toBe('22023');
        expect(rpc.message).toContain(
          `payload is nested ${hugeDepth} levels deep; the limit is 64`,
        );
        const insert = await attempt(
          db,
          'authenticated',
          USER,
          `with s as (select factoredui.start_session($1::jsonb))
           insert into factoredui.events (id, session_id, user_id, type, path, payload, created_at)
           select $2, $3, $4, 'custom', 'shop/checkout', $5::jsonb, now() from s`,
          [
            JSON.stringify(sessionJson(1, { platform: 'web' })),
            testUuid(0xe1, 9),
            testUuid(0x5a, 1),
            A,
            withDeep('__deep__', hugeDepth),
          ],
        );
        expect(insert.code).toBe('22023');
      });

      it('refuses a payload one byte over LIMITS.eventPayloadBytes by RPC', async () => {
        const base = { pad: '' };
        const fill = LIMITS.eventPayloadBytes - (measureJson(base) as { bytes: number }).bytes;
        const at = { pad: 'x'.repeat(fill) };
        const over = { pad: 'x'.repeat(fill + 1) };
        const call = (payload: JsonObject, n: number) =>
          attempt(
            db,
            'authenticated',
            USER,
            `select factoredui.start_session($1::jsonb), factoredui.insert_events($2::jsonb)`,
            [
              JSON.stringify(sessionJson(1, { platform: 'web' })),
              JSON.stringify([eventJson(n, 1, { payload })]),
            ],
          );
        expect((await call(at, 1)).code).toBe('ok');
        const outcome = await call(over, 2);
        expect(outcome.code).toBe('22023');
        expect(outcome.message).toContain(
          `payload is ${LIMITS.eventPayloadBytes + 1} bytes of JSON; the limit is ${LIMITS.eventPayloadBytes} bytes`,
        );
      });

      it('names the path limit for an over-long path inserted directly', async () => {
        const outcome = await attempt(
          db,
          'authenticated',
          USER,
          `with s as (select factoredui.start_session($1::jsonb))
           insert into factoredui.events (id, session_id, user_id, type, path, payload, created_at)
           select $2, $3, $4, 'custom', $5, '{}', now() from s`,
          [
            JSON.stringify(sessionJson(1, { platform: 'web' })),
            testUuid(0xe1, 3),
            testUuid(0x5a, 1),
            A,
            `shop/${'p'.repeat(LIMITS.pathChars)}`,
          ],
        );
        expect(outcome.code).toBe('22023');
        expect(outcome.message).toContain(`the limit is ${LIMITS.pathChars} (LIMITS.pathChars)`);
      });

      it('refuses malformed custom events (name, properties) by RPC and by INSERT', async () => {
        const insertDirect = (payload: JsonObject, n: number) =>
          attempt(
            db,
            'authenticated',
            USER,
            `with s as (select factoredui.start_session($1::jsonb))
             insert into factoredui.events (id, session_id, user_id, type, path, payload, created_at)
             select $2, $3, $4, 'custom', 'shop/checkout', $5::jsonb, now() from s`,
            [
              JSON.stringify(sessionJson(1, { platform: 'web' })),
              testUuid(0xe2, n),
              testUuid(0x5a, 1),
              A,
              JSON.stringify(payload),
            ],
          );
        const viaRpc = (payload: JsonObject, n: number) =>
          attempt(
            db,
            'authenticated',
            USER,
            `select factoredui.start_session($1::jsonb), factoredui.insert_events($2::jsonb)`,
            [
              JSON.stringify(sessionJson(1, { platform: 'web' })),
              JSON.stringify([eventJson(n, 1, { type: 'custom', payload })]),
            ],
          );
        const tooMany = Object.fromEntries(
          Array.from({ length: LIMITS.eventProperties + 1 }, (_, i) => [`p${i}`, i]),
        );
        const bad: [JsonObject, string][] = [
          [
            { name: 'purchase', properties: { revenue: '42' } },
            'property revenue must be a finite number',
          ],
          [{ name: 'purchase', properties: { revenue: { v: 1 } } }, 'must be a finite number'],
          [{ name: 'purchase', properties: [1, 2] }, 'properties must be an object of numbers'],
          [{ name: 'purchase', properties: tooMany }, '(LIMITS.eventProperties)'],
          [{ name: 'purchase', properties: { 'bad key': 1 } }, 'property name "bad key"'],
          [{ name: 'x'.repeat(LIMITS.eventNameChars + 1) }, '(LIMITS.eventNameChars)'],
          [{ name: '' }, 'event name must be a non-empty string'],
          [{ name: 7 }, 'event name must be a non-empty string'],
          [{ name: 'click' }, 'is a built-in event type'],
          [{ properties: { revenue: 1 } }, 'event name must be a non-empty string'],
          [{ name: 'has space' }, 'may use only letters'],
        ];
        let n = 10;
        for (const [payload, message] of bad) {
          for (const run of [insertDirect, viaRpc]) {
            n += 1;
            const outcome = await run(payload, n);
            expect(outcome.code, JSON.stringify(payload)).toBe('22023');
            expect(outcome.message, JSON.stringify(payload)).toContain(message);
          }
        }
        const at = Object.fromEntries(
          Array.from({ length: LIMITS.eventProperties }, (_, i) => [`p${i}`, i + 0.5]),
        );
        const good: JsonObject[] = [
          { name: 'purchase', properties: at },
          { name: 'x'.repeat(LIMITS.eventNameChars) },
          { note: 'an unnamed custom event stays accepted' },
        ];
        for (const payload of good) {
          n += 1;
          expect((await insertDirect(payload, n)).code, JSON.stringify(payload)).toBe('ok');
        }
      });
    });

    describe('service-only inputs and event batches (direct RPC and table, skipping core)', () => {
      it(`refuses more than LIMITS.eventsPerBatch events in one insert_events call by RPC`, async () => {
        const events = Array.from({ length: LIMITS.eventsPerBatch + 1 }, (_, i) =>
          eventJson(100 + i, 1),
        );
        const call = (batch: unknown[]) =>
          attempt(
            db,
            'authenticated',
            USER,
            `select factoredui.start_session($1::jsonb), factoredui.insert_events($2::jsonb)`,
            [JSON.stringify(sessionJson(1, { platform: 'web' })), JSON.stringify(batch)],
          );
        const outcome = await call(events);
        expect(outcome.code).toBe('22023');
        expect(outcome.message).toContain(
          `${LIMITS.eventsPerBatch + 1} events in one insertEvents call; the limit is ${LIMITS.eventsPerBatch} (LIMITS.eventsPerBatch)`,
        );
        expect((await call(events.slice(1))).code).toBe('ok');
      });

      const insertExperiment = (columns: Record<string, string>) => {
        const row = {
          name: JSON.stringify('limits'),
          path: JSON.stringify('shop/checkout/pay'),
          variants: JSON.stringify([
            { key: 'control', weight: 50 },
            { key: 'b', weight: 50 },
          ]),
          seed: JSON.stringify('limits'),
          description: JSON.stringify(''),
          targeting: '[]',
          platforms: '[]',
          ...columns,
        };
        return attempt(
          db,
          'service_role',
          SERVICE,
          `insert into factoredui.experiments (name, path, variants, seed, description, targeting, platforms)
           select $1::jsonb #>> '{}', $2::jsonb #>> '{}', $3::jsonb, $4::jsonb #>> '{}', $5::jsonb #>> '{}', $6::jsonb, $7::jsonb`,
          [
            row.name,
            row.path,
            row.variants,
            row.seed,
            row.description,
            row.targeting,
            row.platforms,
          ],
        );
      };

      it('refuses experiment definitions over the limits inserted directly, naming the limit', async () => {
        const variants = (config: string) =>
          `[{"key": "control", "weight": 50}, {"key": "b", "weight": 50, "config": ${config}}]`;
        const pad = (bytes: number) =>
          JSON.stringify({
            pad: 'x'.repeat(bytes - (measureJson({ pad: '' }) as { bytes: number }).bytes),
          });
        const many = (count: number) =>
          JSON.stringify(
            Array.from({ length: count }, (_, i) => ({
              key: i === 0 ? 'control' : `v${i}`,
              weight: i === 0 ? 100 - (count - 1) : 1,
            })),
          );
        const rule = { kind: 'metadata', field: 'app_version', operator: 'eq', value: '1' };
        const cases: [Record<string, string>, string][] = [
          [
            { seed: JSON.stringify('s'.repeat(LIMITS.experimentNameChars + 1)) },
            'LIMITS.experimentNameChars',
          ],
          [
            { description: JSON.stringify('d'.repeat(LIMITS.experimentDescriptionChars + 1)) },
            'LIMITS.experimentDescriptionChars',
          ],
          [{ variants: many(LIMITS.experimentVariants + 1) }, 'LIMITS.experimentVariants'],
          [{ variants: variants(pad(LIMITS.variantConfigBytes + 1)) }, 'LIMITS.variantConfigBytes'],
          [
            {
              variants: variants(`${'{"d": '.repeat(hugeDepth - 1)}{}${'}'.repeat(hugeDepth - 1)}`),
            },
            'LIMITS.jsonDepth',
          ],
          [
            {
              targeting: JSON.stringify(
                Array.from({ length: LIMITS.experimentTargetingRules + 1 }, () => rule),
              ),
            },
            'LIMITS.experimentTargetingRules',
          ],
          [
            {
              platforms: JSON.stringify(
                Array.from({ length: LIMITS.experimentPlatforms + 1 }, (_, i) => `p${i}`),
              ),
            },
            'LIMITS.experimentPlatforms',
          ],
          [
            { platforms: JSON.stringify(['p'.repeat(LIMITS.platformChars + 1)]) },
            'LIMITS.platformChars',
          ],
        ];
        for (const [columns, limit] of cases) {
          const outcome = await insertExperiment(columns);
          expect(outcome.code, limit).toBe('22023');
          expect(outcome.message, limit).toContain(limit);
        }
        // Exactly at the limits: stored.
        expect(
          (
            await insertExperiment({
              description: JSON.stringify('d'.repeat(LIMITS.experimentDescriptionChars)),
              variants: variants(pad(LIMITS.variantConfigBytes)),
            })
          ).code,
        ).toBe('ok');
        // An UPDATE cannot grow a stored definition past them either.
        await queryOwner(
          db,
          `insert into factoredui.experiments (name, path, variants, seed)
           values ('limits-update', 'shop/checkout/pay', '[{"key": "control", "weight": 50}, {"key": "b", "weight": 50}]', 'limits-update')`,
        );
        const update = await attempt(
          db,
          'service_role',
          SERVICE,
          `update factoredui.experiments set description = repeat('d', $1) where name = 'limits-update'`,
          [LIMITS.experimentDescriptionChars + 1],
        );
        expect(update.code).toBe('22023');
      });

      it('refuses a governance log entry over LIMITS.governanceLogEntryBytes or nested too deep, by RPC and by INSERT', async () => {
        const experimentId = (
          await queryOwner<{ id: string }>(
            db,
            `insert into factoredui.experiments (name, path, variants, seed)
             values ('limits-log', 'shop/checkout/pay', '[{"key": "control", "weight": 50}, {"key": "b", "weight": 50}]', 'limits-log')
             returning id`,
          )
        )[0]?.id;
        const entry = (n: number, extra: Record<string, unknown>) => ({
          id: testUuid(0x1065, n),
          experimentId,
          verdict: 'continue',
          winner: null,
          evaluatedAt: '2026-01-05T10:00:00.000Z',
          reason: 'limits',
          ...extra,
        });
        const rpc = (value: string) =>
          attempt(
            db,
            'service_role',
            SERVICE,
            'select factoredui.append_governance_log($1::jsonb)',
            [value],
          );
        const huge = await rpc(
          JSON.stringify(entry(1, { reason: 'r'.repeat(LIMITS.governanceLogEntryBytes) })),
        );
        expect(huge.code).toBe('22023');
        expect(huge.message).toContain('LIMITS.governanceLogEntryBytes');
        const deep = await rpc(withDeep(entry(2, { settings: '__deep__' }), hugeDepth));
        expect(deep.code).toBe('22023');
        expect(deep.message).toContain(`nested ${hugeDepth + 1} levels deep`);
        const insert = await attempt(
          db,
          'service_role',
          SERVICE,
          `insert into factoredui.governance_log (id, experiment_id, verdict, evaluated_at, entry)
           values ($1, $2, 'continue', now(), $3::jsonb)`,
          [testUuid(0x1065, 3), experimentId, withDeep({ settings: '__deep__' }, hugeDepth)],
        );
        expect(insert.code).toBe('22023');
        expect((await rpc(JSON.stringify(entry(4, {})))).code).toBe('ok');
      });

      it('refuses a threshold path over LIMITS.pathChars inserted directly', async () => {
        const outcome = await attempt(
          db,
          'service_role',
          SERVICE,
          `insert into factoredui.thresholds (id, experiment_id, factor, path, operator, value)
           values ($1, null, 'rage_click_count', $2, 'lte', -1)`,
          [testUuid(0x7e5d, 1), `shop/${'p'.repeat(LIMITS.pathChars)}`],
        );
        expect(outcome.code).toBe('23514');
      });
    });

    describe('spec envelopes (direct save_spec as the service role, skipping core)', () => {
      const saveSpec = (name: string, platform: string, envelope: unknown) =>
        attempt(db, 'service_role', SERVICE, 'select factoredui.save_spec($1::jsonb)', [
          JSON.stringify({ name, platform, envelope }),
        ]);
      const sign = (version: number, name = 'home', platform = 'web', spec: JsonObject = SPEC) =>
        signer.sign(spec, { name, platform, version, signedAt: '2026-01-05T10:00:00.000Z' });

      it('saves a bound envelope under its signed version', async () => {
        expect((await saveSpec('home', 'web', await sign(4))).code).toBe('ok');
        const [row] = await queryOwner<{ result: { version: number } }>(
          db,
          'select factoredui.save_spec($1::jsonb) as result',
          [JSON.stringify({ name: 'home', platform: 'web', envelope: await sign(4) })],
        );
        expect(row?.result.version).toBe(4);
      });

      it('refuses an unbound envelope in any slot, saying how to re-sign', async () => {
        const { name: _n, platform: _p, version: _v, ...unbound } = await sign(1);
        for (const [name, platform] of [
          ['home', 'web'],
          ['promo', 'ios'],
        ] as const) {
          const outcome = await saveSpec(name, platform, unbound);
          expect(outcome.code).toBe('22023');
          expect(outcome.message).toContain('unbound');
          expect(outcome.message).toContain('factoredui sign');
        }
      });

      it('refuses an envelope relabeled to another name or platform', async () => {
        expect((await saveSpec('promo', 'web', await sign(1))).code).toBe('22023');
        expect((await saveSpec('home', 'ios', await sign(1))).code).toBe('22023');
      });

      it('refuses versions "2", null (NaN in JSON), 1.5, 0, -1 and above the maximum', async () => {
        const envelope = await sign(1);
        for (const version of ['2', null, 1.5, 0, -1, 2_147_483_648, 1e300, true]) {
          const outcome = await saveSpec('home', 'web', { ...envelope, version });
          expect(outcome.code, JSON.stringify(version)).toBe('22023');
          expect(outcome.message).toMatch(/version|unbound/);
        }
      });

      it('refuses a version that is not above the saved ones (FU409 conflict)', async () => {
        await queryOwner(db, 'select factoredui.save_spec($1::jsonb)', [
          JSON.stringify({ name: 'home', platform: 'web', envelope: await sign(5) }),
        ]);
        for (const version of [5, 4, 1]) {
          const outcome = await saveSpec('home', 'web', await sign(version));
          expect(outcome.code).toBe('FU409');
          expect(outcome.message).toContain('sign the spec as version 6 or higher');
        }
      });

      it('refuses a row whose version differs from the signed one, even inserted directly', async () => {
        const outcome = await attempt(
          db,
          'postgres',
          {},
          `insert into factoredui.specs (name, platform, version, envelope) values ('home', 'web', 2, $1::jsonb)`,
          [JSON.stringify(await sign(1))],
        );
        expect(outcome.code).toBe('22023');
        expect(outcome.message).toContain('signed as version 1, not 2');
      });

      it('refuses a key id over LIMITS.keyIdChars', async () => {
        const envelope = await sign(1);
        const outcome = await saveSpec('home', 'web', {
          ...envelope,
          key_id: 'k'.repeat(LIMITS.keyIdChars + 1),
        });
        expect(outcome.code).toBe('22023');
        expect(outcome.message).toContain(`the limit is ${LIMITS.keyIdChars} (LIMITS.keyIdChars)`);
      });

      it('refuses a spec over LIMITS.specBytes or nested 10,000 deep', async () => {
        const envelope = await sign(1);
        const big = {
          ...SPEC,
          root: { id: 'r', type: 'text', props: { content: 'x'.repeat(LIMITS.specBytes) } },
        };
        const bigOutcome = await saveSpec('home', 'web', { ...envelope, spec: big });
        expect(bigOutcome.code).toBe('22023');
        expect(bigOutcome.message).toContain(`the limit is ${LIMITS.specBytes} bytes`);
        const deep = { ...SPEC, root: { id: 'r', type: 'text', props: '__deep__' } };
        const deepOutcome = await attempt(
          db,
          'service_role',
          SERVICE,
          'select factoredui.save_spec($1::jsonb)',
          [
            withDeep(
              { name: 'home', platform: 'web', envelope: { ...envelope, spec: deep } },
              hugeDepth,
            ),
          ],
        );
        expect(deepOutcome.code).toBe('22023');
        expect(deepOutcome.message).toContain('levels deep; the limit is 64');
      });
    });
  });
}

limitsSuite('PGlite', createPGliteDatabase);
if (DATABASE_URL) limitsSuite('PostgreSQL', () => createServerDatabase('limits'));
