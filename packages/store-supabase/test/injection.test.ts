import {
  type ExperimentDefinition,
  type FactoredEvent,
  type FactoredStore,
  isFactoredError,
  LIMITS,
  type NewExperiment,
  validateExperimentDefinition,
} from '@factoredui/core';
import { TEST_USERS, testUuid } from '@factoredui/core/testing';
import { createPostgresStore } from '@factoredui/store-supabase';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPGliteDatabase, type TestDatabase } from './harness/databases.js';

/** A complete definition, as core's createExperiment hands it to the store. */
const definition = (input: NewExperiment): ExperimentDefinition =>
  validateExperimentDefinition(input);

/** Strings that break naive SQL building, JSON handling or text encodings. */
const HOSTILE = [
  `'; drop table factoredui.events; --`,
  `" or 1=1 --`,
  `$$; select pg_sleep(10); $$`,
  `\\x00\\'\\"`,
  `Robert'); DELETE FROM factoredui.sessions;--`,
  '💥 ünïcødé ℌ𝔢𝔩𝔩𝔬 עברית 中文',
  '\u2028\u2029\ufeff zero\u200bwidth',
  `{"json": "in a string"}`,
  `%s %n %x`,
];

const ONE_MB = 'x'.repeat(1024 * 1024);

/** A valid path segment from any string: no "/" and no control characters. */
const segment = (text: string) =>
  [...text]
    .filter((c) => c !== '/' && c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('');

describe('injection and hostile input (PGlite)', () => {
  let db: TestDatabase;
  let alice: FactoredStore;
  let service: FactoredStore;
  const session = {
    id: testUuid(0x1a, 1),
    userId: TEST_USERS.alice,
    startedAt: '2026-01-05T10:00:00.000Z',
    metadata: { platform: 'web', note: HOSTILE.join(' | ') },
  };
  let n = 0;
  const event = (overrides: Partial<FactoredEvent>): FactoredEvent => {
    n += 1;
    return {
      id: testUuid(0x1e, n),
      sessionId: session.id,
      userId: TEST_USERS.alice,
      type: 'custom',
      path: 'flow/page/component/element',
      payload: {},
      createdAt: new Date(Date.parse('2026-01-05T10:00:00.000Z') + n).toISOString(),
      ...overrides,
    };
  };

  beforeAll(async () => {
    db = await createPGliteDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.reset();
    alice = createPostgresStore(db.sql, { as: { userId: TEST_USERS.alice } });
    service = createPostgresStore(db.sql, { as: 'service' });
    await alice.startSession(session);
  });

  it('stores hostile strings in paths and payloads verbatim', async () => {
    const events = HOSTILE.map((text) =>
      event({
        // A path segment may hold anything but "/" and control characters.
        path: `flow/${segment(text)}`,
        payload: { [text]: text, nested: [text, { text }] },
      }),
    );
    expect(await alice.insertEvents(events)).toEqual({ inserted: events.length, duplicates: 0 });
    expect(await alice.listEvents()).toEqual(events);
    for (const e of events) expect(await alice.listEvents({ path: e.path })).toEqual([e]);
    expect((await alice.getSession(session.id)).metadata).toEqual(session.metadata);
  });

  it('stores hostile experiment names, descriptions and variant configs verbatim', async () => {
    for (const [i, text] of HOSTILE.entries()) {
      const stored = await service.insertExperiment(
        definition({
          name: `${i} ${text}`,
          description: text,
          path: 'flow/page',
          variants: [
            { key: 'control', weight: 50, config: { text } },
            { key: 'treatment', weight: 50 },
          ],
        }),
      );
      const read = await service.getExperiment(`${i} ${text}`);
      expect(read).toEqual(stored);
      expect(read.description).toBe(text);
      expect(read.variants[0]?.config).toEqual({ text });
    }
    expect(await service.listExperiments()).toHaveLength(HOSTILE.length);
  });

  it('stores hostile spec names and envelopes verbatim, or rejects bad names with invalid_input', async () => {
    const envelope = {
      spec: {
        spec_version: 1,
        renderer_min: 1,
        root: { id: 'r', type: 'text', props: { text: "'; drop table x; --" } },
      },
      spec_hash: 'a'.repeat(64),
      signature: 'b'.repeat(128),
      signed_at: '2026-01-05T10:00:00.000Z',
      key_id: 'k1',
    };
    for (const name of HOSTILE) {
      // Bound to the (hostile) name it is saved under, as every envelope must be.
      const bound = { ...envelope, name, platform: 'web', version: 1 };
      try {
        const saved = await service.saveSpec({ name, platform: 'web', envelope: bound });
        expect(await service.getSpec({ name, platform: 'web', version: 1 })).toEqual(saved);
        expect(saved.envelope).toEqual(bound);
      } catch (error) {
        expect(isFactoredError(error, 'invalid_input'), String(error)).toBe(true);
      }
    }
  });

  it('rejects a 1 MB payload with a typed error and stores nothing', async () => {
    const big = event({ payload: { blob: ONE_MB } });
    const error = await alice.insertEvents([big]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isFactoredError(error, 'invalid_input')).toBe(true);
    expect(await alice.listEvents()).toEqual([]);
  });

  it('rejects a 1 MB payload sent straight to the SQL function (bypassing client checks)', async () => {
    const code = await db.tryAs(
      'authenticated',
      { sub: TEST_USERS.alice, role: 'authenticated' },
      'select factoredui.insert_events($1)',
      [JSON.stringify([event({ payload: { blob: ONE_MB } })])],
    );
    expect(code).toBe('22023');
  });

  it('stores a description of LIMITS.experimentDescriptionChars hostile characters verbatim; refuses 1 MB', async () => {
    const input = (description: string): NewExperiment => ({
      name: 'big',
      description,
      path: 'flow/page',
      variants: [
        { key: 'control', weight: 50 },
        { key: 'treatment', weight: 50 },
      ],
    });
    const longest = HOSTILE.slice(0, 4)
      .join('ü|')
      .repeat(LIMITS.experimentDescriptionChars)
      .slice(0, LIMITS.experimentDescriptionChars);
    const stored = await service.insertExperiment(definition(input(longest)));
    expect((await service.getExperiment(stored.id)).description).toBe(longest);
    expect(() => definition(input(ONE_MB))).toThrow(/LIMITS\.experimentDescriptionChars/);
    // Sent straight to SQL (skipping core), the database refuses it too.
    const code = await db.tryAs(
      'service_role',
      { role: 'service_role' },
      `update factoredui.experiments set description = $1 where id = $2`,
      [ONE_MB, stored.id],
    );
    expect(code).toBe('22023');
  });

  it('rejects a 1 MB path and NUL characters with invalid_input', async () => {
    for (const bad of [
      event({ path: `flow/${ONE_MB}` }),
      event({ path: 'flow/a\u0000b' }),
      event({ payload: { nul: 'a\u0000b' } }),
    ]) {
      const error = await alice.insertEvents([bad]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isFactoredError(error, 'invalid_input'), String(error)).toBe(true);
    }
    expect(await alice.listEvents()).toEqual([]);
  });

  it('treats hostile filter values as data, never as SQL', async () => {
    await alice.insertEvents([event({})]);
    for (const text of HOSTILE) {
      expect(await alice.listEvents({ path: `flow/${segment(text)}` })).toEqual([]);
      const error = await alice.getExperiment(text).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isFactoredError(error, 'not_found')).toBe(true);
    }
    expect(await alice.listEvents()).toHaveLength(1);
  });
});
