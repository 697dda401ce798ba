import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  createEd25519Verifier,
  createExperiment,
  type FactoredStore,
  type SignedSpecEnvelope,
  startExperiment,
} from '@factoredui/core';
import { createPostgresStore } from '@factoredui/store-supabase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../src/migrate.js';
import { pgliteFromSnapshot } from './harness/pglite-snapshot.js';
import { type PostgrestServer, startPostgrestServer } from './support/postgrest.js';
import { runBuiltCli } from './support/postgrest-cli.js';
import { createMigratedPglite } from './support/postgrest-db.js';

// Every test runs the installed bin (bin/factoredui.js, which runs the built dist/cli.js) in a
// child process.

const SPEC = {
  spec_version: 1,
  renderer_min: 1,
  root: {
    id: 'root',
    type: 'column',
    children: [
      { id: 'title', type: 'text', props: { content: 'Checkout, {user.name}' } },
      { id: 'buy', type: 'button', props: { label: 'Buy' }, action: { name: 'checkout.submit' } },
    ],
  },
};

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'factoredui-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function freshDir(name: string): Promise<string> {
  const dir = join(work, name);
  await rm(dir, { recursive: true, force: true });
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Opens a migrated on-disk PGlite database, runs `fn` on a service store, closes it. */
async function withPglite<T>(dir: string, fn: (store: FactoredStore) => Promise<T>): Promise<T> {
  const db = new PGlite(dir);
  try {
    return await fn(createPostgresStore(db, { as: 'service' }));
  } finally {
    await db.close();
  }
}

/** The binding every `sign` needs: name, platform and version. */
const SLOT_ARGS = (version = 1) => [
  '--name',
  'checkout-banner',
  '--platform',
  'web',
  '--version',
  String(version),
];

async function keyAndSignedSpec(dir: string) {
  expect(
    (await runBuiltCli(['keygen', '--out', 'key.json', '--key-id', 'test-key'], { cwd: dir })).code,
  ).toBe(0);
  await writeFile(join(dir, 'banner.json'), JSON.stringify(SPEC));
  const signed = await runBuiltCli(['sign', 'banner.json', '--key', 'key.json', ...SLOT_ARGS()], {
    cwd: dir,
  });
  expect(signed.stderr).toBe('');
  expect(signed.code).toBe(0);
  const key = JSON.parse(await readFile(join(dir, 'key.json'), 'utf8')) as {
    keyId: string;
    publicKey: string;
    privateKey: string;
  };
  const envelope = JSON.parse(
    await readFile(join(dir, 'banner.signed.json'), 'utf8'),
  ) as SignedSpecEnvelope;
  return { key, envelope };
}

describe('factoredui CLI: help and usage errors', () => {
  it('lists the commands with --help and exits 0', async () => {
    const run = await runBuiltCli(['--help'], { cwd: work });
    expect(run.code).toBe(0);
    for (const command of [
      'init',
      'migrate',
      'upgrade',
      'keygen',
      'sign',
      'convert-spec',
      'publish',
      'refresh',
      'govern',
      'export',
      'erase',
      'prune',
    ]) {
      expect(run.stdout).toContain(`  ${command} `);
    }
  });

  it('prints every command help with its options and exits 0', async () => {
    for (const [command, option] of [
      ['init', '--dir'],
      ['migrate', '--bootstrap'],
      ['upgrade', '--dry-run'],
      ['convert-spec', '--out'],
      ['keygen', '--out'],
      ['sign', '--key-id'],
      ['publish', '--platform'],
      ['refresh', '--as-of'],
      ['govern', '--at'],
    ] as const) {
      const run = await runBuiltCli([command, '--help'], { cwd: work });
      expect(run.code, command).toBe(0);
      expect(run.stdout).toContain(`Usage: factoredui ${command}`);
      expect(run.stdout).toContain(option);
    }
  });

  it('exits 2 without a command, and names an unknown command', async () => {
    expect((await runBuiltCli([], { cwd: work })).code).toBe(2);
    const run = await runBuiltCli(['deploy'], { cwd: work });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "deploy"');
  });

  it('exits 2 naming an unknown option, a missing argument or a bad date, and points to --help', async () => {
    const unknown = await runBuiltCli(['sign', 'a.json', '--colour'], { cwd: work });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("'--colour'");
    expect(unknown.stderr).toContain('factoredui sign --help');
    const missing = await runBuiltCli(['sign'], { cwd: work });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing argument <spec.json>');
    const badDate = await runBuiltCli(['refresh', '--as-of', 'yesterday-ish'], { cwd: work });
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--as-of "yesterday-ish" is not a date');
  });

  it('exits 2 with what to set when no database is configured', async () => {
    const run = await runBuiltCli(['govern'], { cwd: work });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DATABASE_URL');
    expect(run.stderr).toContain('SUPABASE_SERVICE_ROLE_KEY');
    const wrongScheme = await runBuiltCli(['refresh', '--database-url', 'mysql://u:secret@h/db'], {
      cwd: work,
    });
    expect(wrongScheme.code).toBe(2);
    expect(wrongScheme.stderr).not.toContain('secret');
  });
});

describe('factoredui init', () => {
  it('copies every shipped migration into <dir>/supabase/migrations and prints next steps', async () => {
    const dir = await freshDir('init-copy');
    const run = await runBuiltCli(['init', '--dir', dir], { cwd: work });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Next steps');
    for (const migration of readMigrations()) {
      expect(await readFile(join(dir, 'supabase', 'migrations', migration.name), 'utf8')).toBe(
        migration.sql,
      );
    }
    expect(run.stdout).toContain(`${readMigrations().length} migrations copied`);
  });

  it('never overwrites: a changed file is kept and reported, a second run copies nothing', async () => {
    const dir = await freshDir('init-keep');
    expect((await runBuiltCli(['init'], { cwd: dir })).code).toBe(0);
    const first = readMigrations()[0];
    if (!first) throw new Error('no migrations shipped');
    const edited = join(dir, 'supabase', 'migrations', first.name);
    await writeFile(edited, '-- my local change\n');
    const again = await runBuiltCli(['init'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 migrations copied');
    expect(again.stdout).toMatch(/kept\s+.*differs from the shipped version/);
    expect(await readFile(edited, 'utf8')).toBe('-- my local change\n');
  });

  it('exits 2 when --dir does not exist', async () => {
    const run = await runBuiltCli(['init', '--dir', join(work, 'no', 'such', 'dir')], {
      cwd: work,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not an existing directory');
  });
});

describe('factoredui keygen and sign', () => {
  it('keygen writes a private key file with mode 600 and never overwrites it', async () => {
    const dir = await freshDir('keygen');
    const run = await runBuiltCli(['keygen', '--out', 'key.json'], { cwd: dir });
    expect(run.code).toBe(0);
    const key = JSON.parse(await readFile(join(dir, 'key.json'), 'utf8'));
    expect(key).toMatchObject({ algorithm: 'ed25519' });
    expect(key.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(key.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(key.keyId).toMatch(/^\d{4}-\d{2}-[0-9a-f]{8}$/);
    expect(run.stdout).toContain(key.publicKey);
    expect(run.stdout).not.toContain(key.privateKey);
    expect((await stat(join(dir, 'key.json'))).mode & 0o777).toBe(0o600);
    const again = await runBuiltCli(['keygen', '--out', 'key.json'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('never overwrites');
    expect(JSON.parse(await readFile(join(dir, 'key.json'), 'utf8'))).toEqual(key);
  });

  it('keygen without --out prints a key pair as JSON', async () => {
    const run = await runBuiltCli(['keygen', '--key-id', 'ci-2026'], { cwd: work });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ keyId: 'ci-2026', algorithm: 'ed25519' });
  });

  it('sign writes an envelope bound to name, platform and version that verifies with the public key', async () => {
    const dir = await freshDir('sign');
    const { key, envelope } = await keyAndSignedSpec(dir);
    expect(envelope).toMatchObject({
      spec: SPEC,
      key_id: 'test-key',
      name: 'checkout-banner',
      platform: 'web',
      version: 1,
    });
    const verifier = createEd25519Verifier({ [key.keyId]: key.publicKey });
    expect(await verifier.verify(envelope)).toEqual({ ok: true, keyId: 'test-key' });
    const tampered = { ...envelope, spec: { ...SPEC, renderer_min: 2 } };
    expect((await verifier.verify(tampered)).ok).toBe(false);
  });

  it('sign reads the key from an environment variable and refuses to overwrite the output', async () => {
    const dir = await freshDir('sign-env');
    const { key } = await keyAndSignedSpec(dir);
    const env = { SIGNING_SECRET: key.privateKey };
    const again = await runBuiltCli(
      ['sign', 'banner.json', '--key', 'env:SIGNING_SECRET', '--key-id', 'k2', ...SLOT_ARGS()],
      {
        cwd: dir,
        env,
      },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const forced = await runBuiltCli(
      [
        'sign',
        'banner.json',
        '--key',
        'env:SIGNING_SECRET',
        '--key-id',
        'k2',
        '--force',
        ...SLOT_ARGS(),
      ],
      { cwd: dir, env },
    );
    expect(forced.code).toBe(0);
    const envelope = JSON.parse(await readFile(join(dir, 'banner.signed.json'), 'utf8'));
    expect(envelope.key_id).toBe('k2');
    expect(await createEd25519Verifier({ k2: key.publicKey }).verify(envelope)).toEqual({
      ok: true,
      keyId: 'k2',
    });
    expect(forced.stdout + forced.stderr).not.toContain(key.privateKey);
  });

  it('sign rejects an invalid spec listing every problem with its path, and writes nothing', async () => {
    const dir = await freshDir('sign-invalid');
    await runBuiltCli(['keygen', '--out', 'key.json'], { cwd: dir });
    await writeFile(
      join(dir, 'bad.json'),
      JSON.stringify({ spec_version: 1, renderer_min: 1, root: { id: 'r', type: 'carousel' } }),
    );
    const run = await runBuiltCli(['sign', 'bad.json', '--key', 'key.json', ...SLOT_ARGS()], {
      cwd: dir,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('/root/type');
    expect(run.stderr).toContain('carousel');
    await expect(stat(join(dir, 'bad.signed.json'))).rejects.toThrow();
    await writeFile(join(dir, 'broken.json'), '{ "spec_version": ');
    const broken = await runBuiltCli(['sign', 'broken.json', '--key', 'key.json', ...SLOT_ARGS()], {
      cwd: dir,
    });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('is not valid JSON');
  });

  it('sign exits 2 without a key, or with a key id for an unset variable', async () => {
    const dir = await freshDir('sign-nokey');
    await writeFile(join(dir, 'banner.json'), JSON.stringify(SPEC));
    const none = await runBuiltCli(['sign', 'banner.json', ...SLOT_ARGS()], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('FACTOREDUI_SIGNING_KEY');
    const unset = await runBuiltCli(
      ['sign', 'banner.json', '--key', 'env:NOPE', '--key-id', 'x', ...SLOT_ARGS()],
      { cwd: dir },
    );
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('NOPE is not set');
  });

  it('sign refuses to sign without --name, --platform or --version, or with a bad version', async () => {
    const dir = await freshDir('sign-unbound');
    await runBuiltCli(['keygen', '--out', 'key.json'], { cwd: dir });
    await writeFile(join(dir, 'banner.json'), JSON.stringify(SPEC));
    const full = SLOT_ARGS();
    for (const missing of ['--name', '--platform', '--version']) {
      const at = full.indexOf(missing);
      const args = [...full.slice(0, at), ...full.slice(at + 2)];
      const run = await runBuiltCli(['sign', 'banner.json', '--key', 'key.json', ...args], {
        cwd: dir,
      });
      expect(run.code, missing).toBe(2);
      expect(run.stderr).toContain(`Missing option ${missing}`);
    }
    for (const version of ['2.5', '0', '-1', 'two', '2e9', '2147483648']) {
      const run = await runBuiltCli(
        [
          'sign',
          'banner.json',
          '--key',
          'key.json',
          ...SLOT_ARGS(1).slice(0, 4),
          `--version=${version}`,
        ],
        { cwd: dir },
      );
      expect(run.code, version).toBe(2);
      expect(run.stderr).toContain(`--version "${version}"`);
    }
    await expect(stat(join(dir, 'banner.signed.json'))).rejects.toThrow();
  });
});

/**
 * A project folder with its own database at `<dir>/db` (`pglite://<dir>/db`), started from a
 * prepared snapshot, so every test below is independent of the others and none pays initdb.
 */
async function projectWithDatabase(name: string, kind: 'bare' | 'migrated' = 'migrated') {
  const dir = await freshDir(name);
  const db = await pgliteFromSnapshot(kind, join(dir, 'db'));
  await db.close();
  return { dir, url: `pglite://${join(dir, 'db')}` };
}

describe('factoredui publish, refresh and govern on a PGlite database (pglite://<dir>)', () => {
  it('migrate --bootstrap applies every migration once; a second run is up to date', async () => {
    const { dir, url } = await projectWithDatabase('db-migrate', 'bare');
    const first = await runBuiltCli(['migrate', '--bootstrap', '--database-url', url], {
      cwd: dir,
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${readMigrations().length} migrations applied`);
    const again = await runBuiltCli(['migrate', '--bootstrap'], {
      cwd: dir,
      env: { DATABASE_URL: url },
    });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is up to date');
    const noUrl = await runBuiltCli(['migrate'], { cwd: dir });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('supabase db push');
  });

  it('publish stores and activates the signed spec; the stored envelope verifies', async () => {
    const { dir, url } = await projectWithDatabase('db-publish');
    const { key } = await keyAndSignedSpec(dir);
    const first = await runBuiltCli(
      ['publish', 'banner.signed.json', '--database-url', url, '--public-key', 'key.json'],
      { cwd: dir },
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('checkout-banner (web) version 1, now active');
    // The same signed version again: refused, saying which version to sign.
    const again = await runBuiltCli(['publish', 'banner.signed.json'], {
      cwd: dir,
      env: { DATABASE_URL: url },
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[conflict]');
    expect(again.stderr).toContain('version 2 or higher');
    const resigned = await runBuiltCli(
      ['sign', 'banner.json', '--key', 'key.json', '--force', ...SLOT_ARGS(2)],
      { cwd: dir },
    );
    expect(resigned.code).toBe(0);
    const second = await runBuiltCli(['publish', 'banner.signed.json', '--json'], {
      cwd: dir,
      env: { DATABASE_URL: url },
    });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      name: 'checkout-banner',
      platform: 'web',
      version: 2,
    });
    await withPglite(join(dir, 'db'), async (store) => {
      const active = await store.getActiveSpec({ name: 'checkout-banner', platform: 'web' });
      expect(active?.version).toBe(2);
      const verifier = createEd25519Verifier({ [key.keyId]: key.publicKey });
      expect(await verifier.verify(active?.envelope)).toEqual({ ok: true, keyId: key.keyId });
      expect(
        await store.listSpecVersions({ name: 'checkout-banner', platform: 'web' }),
      ).toHaveLength(2);
    });
  });

  it('publish refuses a tampered envelope, a wrong public key, or a name it was not signed for', async () => {
    const { dir, url } = await projectWithDatabase('db-refuse');
    const { envelope } = await keyAndSignedSpec(await freshDir('db-tamper'));
    const tamperedFile = join(dir, 'tampered.json');
    await writeFile(
      tamperedFile,
      JSON.stringify({ ...envelope, spec: { ...SPEC, renderer_min: 1, extra: 1 } }),
    );
    const tampered = await runBuiltCli(['publish', tamperedFile, '--database-url', url], {
      cwd: dir,
    });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('spec_hash does not match');
    const otherKey = await runBuiltCli(
      ['keygen', '--out', 'other-key.json', '--key-id', envelope.key_id],
      {
        cwd: dir,
      },
    );
    expect(otherKey.code).toBe(0);
    const envelopeFile = join(dir, 'from-other-project.json');
    await writeFile(envelopeFile, JSON.stringify(envelope));
    const wrongKey = await runBuiltCli(
      ['publish', envelopeFile, '--database-url', url, '--public-key', 'other-key.json'],
      { cwd: dir },
    );
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('failed verification');
    const wrongName = await runBuiltCli(
      ['publish', envelopeFile, '--database-url', url, '--name', 'other'],
      {
        cwd: dir,
      },
    );
    expect(wrongName.code).toBe(1);
    expect(wrongName.stderr).toContain('signed for name "checkout-banner"');
    await withPglite(join(dir, 'db'), async (store) => {
      expect(await store.getActiveSpec({ name: 'other', platform: 'web' })).toBeNull();
    });
  });

  it('refresh recomputes factors as of a time and snapshots them', async () => {
    const { dir, url } = await projectWithDatabase('db-refresh');
    const userId = '00000000-0000-4000-8000-00000000c11a';
    const sessionId = '00000000-0000-4000-8000-00000000c5e5';
    await withPglite(join(dir, 'db'), async (store) => {
      await store.startSession({
        id: sessionId,
        userId,
        startedAt: '2026-01-05T10:00:00.000Z',
        metadata: { platform: 'web' },
      });
      await store.insertEvents(
        ['rage_click', 'rage_click', 'click'].map((type, i) => ({
          id: `00000000-0000-4000-8000-0000000e000${i}`,
          sessionId,
          userId,
          type: type as 'click',
          path: 'shop/checkout/pay/submit',
          payload: {},
          createdAt: `2026-01-05T10:00:0${i}.000Z`,
        })),
      );
    });
    const run = await runBuiltCli(
      ['refresh', '--as-of', '2026-01-06T00:00:00Z', '--database-url', url, '--json'],
      {
        cwd: dir,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const counts = JSON.parse(run.stdout);
    expect(counts).toMatchObject({ asOf: '2026-01-06T00:00:00.000Z', users: 1 });
    expect(counts.snapshotValues).toBe(counts.values);
    // No running experiment yet: nothing to release, but the release ran.
    expect(counts.released).toBe(0);
    // One user: no aggregate over 5 users to release.
    expect(counts.releasedAggregates).toBe(0);
    await withPglite(join(dir, 'db'), async (store) => {
      const factors = await store.getFactors({ userId, factors: ['rage_click_count'] });
      expect(factors.map((f) => f.value)).toEqual([2]);
      const history = await store.getFactorHistory({
        userId,
        factors: ['rage_click_count'],
        since: '2026-01-01T00:00:00Z',
      });
      expect(history.map((h) => [h.snapshotAt, h.value])).toEqual([
        ['2026-01-06T00:00:00.000Z', 2],
      ]);
    });
    // Nothing to compute before any event: zero users, still exit 0.
    const early = await runBuiltCli(
      ['refresh', '--as-of', '2025-01-01T00:00:00Z', '--no-snapshot', '--database-url', url],
      {
        cwd: dir,
      },
    );
    expect(early.code).toBe(0);
    expect(early.stdout).toContain('for 0 users');
    expect(early.stdout).toContain('No snapshot taken');
  });

  it('govern evaluates every running experiment and appends to the governance log', async () => {
    const { dir, url } = await projectWithDatabase('db-govern');
    const experiment = await withPglite(join(dir, 'db'), async (store) => {
      const created = await createExperiment(store, {
        name: 'pay-button-copy',
        path: 'shop/checkout/pay/submit',
        variants: [
          { key: 'control', weight: 50 },
          { key: 'pay-now', weight: 50 },
        ],
      });
      return startExperiment(store, created.id);
    });
    const run = await runBuiltCli(
      ['govern', '--at', '2026-01-07T00:00:00Z', '--database-url', url],
      { cwd: dir },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 experiment(s) evaluated');
    expect(run.stdout).toMatch(/pay-button-copy: continue/);
    await withPglite(join(dir, 'db'), async (store) => {
      const log = await store.listGovernanceLog({ experimentId: experiment.id });
      expect(log.map((e) => e.verdict)).toEqual(['continue']);
    });
  });
});

describe('factoredui export, erase and prune on a PGlite database (pglite://<dir>)', () => {
  it('export prints the user as JSON, erase removes exactly that and logs it without the id, prune applies the retention', async () => {
    const { dir, url } = await projectWithDatabase('db-lifecycle');
    const userId = '00000000-0000-4000-8000-00000000e7a5';
    const other = '00000000-0000-4000-8000-00000000b0b0';
    await withPglite(join(dir, 'db'), async (store) => {
      for (const [n, id] of [userId, other].entries()) {
        const sessionId = `00000000-0000-4000-8000-00000000c5e${n}`;
        await store.startSession({
          id: sessionId,
          userId: id,
          startedAt: '2026-01-05T10:00:00.000Z',
          metadata: { platform: 'web' },
        });
        await store.insertEvents(
          ['click', 'rage_click'].map((type, i) => ({
            id: `00000000-0000-4000-8000-0000000e1${n}0${i}`,
            sessionId,
            userId: id,
            type: type as 'click',
            path: 'shop/checkout/pay/submit',
            payload: {},
            createdAt: `2026-01-0${5 + i * 3}T10:00:00.000Z`,
          })),
        );
      }
      await store.snapshotFactors({ asOf: '2026-01-09T00:00:00.000Z' });
    });
    const exported = await runBuiltCli(['export', userId, '--database-url', url], { cwd: dir });
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const data = JSON.parse(exported.stdout);
    expect(data).toMatchObject({ format: 'factoredui.user-export.v1', userId });
    expect(data.counts).toMatchObject({ sessions: 1, events: 2 });
    expect(data.events.map((e: { userId: string }) => e.userId)).toEqual([userId, userId]);

    const erased = await runBuiltCli(['erase', userId, '--database-url', url, '--json'], {
      cwd: dir,
    });
    expect(erased.stderr).toBe('');
    expect(erased.code).toBe(0);
    const record = JSON.parse(erased.stdout);
    expect(record.counts).toEqual(data.counts);
    expect(erased.stdout).not.toContain(userId);
    const again = await runBuiltCli(['export', userId, '--database-url', url], { cwd: dir });
    expect(Object.values(JSON.parse(again.stdout).counts)).toEqual(
      Object.values(data.counts).map(() => 0),
    );
    await withPglite(join(dir, 'db'), async (store) => {
      expect(await store.listErasures({ userId })).toEqual([record]);
      expect(await store.listEvents({ userId: other })).toHaveLength(2);
    });

    // Retention: nothing configured is an error; --days as of a time prunes the older event.
    const unset = await runBuiltCli(['prune', '--database-url', url], { cwd: dir });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('[invalid_input]');
    expect(unset.stderr).toContain('set_retention_days');
    const pruned = await runBuiltCli(
      ['prune', '--days', '2', '--as-of', '2026-01-09T00:00:00Z', '--database-url', url, '--json'],
      { cwd: dir },
    );
    expect(pruned.stderr).toBe('');
    expect(pruned.code).toBe(0);
    expect(JSON.parse(pruned.stdout)).toEqual({
      cutoff: '2026-01-07T00:00:00.000Z',
      retentionDays: 2,
      events: 1,
      sessions: 0,
    });
    const text = await runBuiltCli(
      ['prune', '--days', '2', '--as-of', '2026-01-09T00:00:00Z', '--database-url', url],
      { cwd: dir },
    );
    expect(text.stdout).toContain('Pruned on');
    expect(text.stdout).toContain('0 events and 0 sessions before 2026-01-07T00:00:00.000Z');
    await withPglite(join(dir, 'db'), async (store) => {
      expect(await store.listEvents({ userId: other })).toHaveLength(1);
      expect(
        await store.getFactorHistory({ userId: other, since: '2026-01-01T00:00:00Z' }),
      ).not.toEqual([]);
    });
  });

  it('erase --requested erases exactly the users who asked', async () => {
    const { dir, url } = await projectWithDatabase('db-erase-requested');
    const asker = '00000000-0000-4000-8000-0000000a5c00';
    const sessionId = '00000000-0000-4000-8000-0000000a5c01';
    const db = new PGlite(join(dir, 'db'));
    try {
      const user = createPostgresStore(db, { as: { userId: asker } });
      await user.startSession({
        id: sessionId,
        userId: asker,
        startedAt: '2026-01-05T10:00:00.000Z',
        metadata: { platform: 'web' },
      });
      await user.requestErasure();
    } finally {
      await db.close();
    }
    const run = await runBuiltCli(['erase', '--requested', '--database-url', url], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Erased 1 user who asked');
    expect(run.stdout).toContain('1 sessions');
    expect(run.stdout).not.toContain(asker);
    const again = await runBuiltCli(['erase', '--requested', '--database-url', url, '--json'], {
      cwd: dir,
    });
    expect(JSON.parse(again.stdout)).toEqual([]);
  });

  it('exits 2 without a user or with a bad --days, naming the problem', async () => {
    const missing = await runBuiltCli(['erase'], { cwd: work });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Give either a <user> or --requested');
    const days = await runBuiltCli(['prune', '--days', '1.5'], { cwd: work });
    expect(days.code).toBe(2);
    expect(days.stderr).toContain('--days 1.5 must be a whole number of days');
  });
});

describe('factoredui over the Supabase API (SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY)', () => {
  let db: PGlite;
  let server: PostgrestServer;
  beforeAll(async () => {
    db = await createMigratedPglite();
    server = await startPostgrestServer({ db });
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  it('publishes through supabase-js with the service-role key', async () => {
    const dir = await freshDir('supabase-publish');
    const { key } = await keyAndSignedSpec(dir);
    const env = { SUPABASE_URL: server.url, SUPABASE_SERVICE_ROLE_KEY: server.serviceRoleKey };
    const before = server.requestCount();
    const run = await runBuiltCli(['publish', 'banner.signed.json', '--public-key', 'key.json'], {
      cwd: dir,
      env,
    });
    // (supabase-js itself warns on stderr that Node 20 is deprecated; nothing of ours is there.)
    expect(run.stderr).not.toContain('factoredui');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`to Supabase ${server.url}`);
    expect(server.requestCount()).toBeGreaterThan(before);
    const active = await createPostgresStore(db, { as: 'service' }).getActiveSpec({
      name: 'checkout-banner',
      platform: 'web',
    });
    expect(
      await createEd25519Verifier({ [key.keyId]: key.publicKey }).verify(active?.envelope),
    ).toEqual({
      ok: true,
      keyId: key.keyId,
    });
  });

  it('fails with unauthorized and exit 1 when the key is not the service-role key', async () => {
    const dir = await freshDir('supabase-anon');
    await keyAndSignedSpec(dir);
    const run = await runBuiltCli(['publish', 'banner.signed.json'], {
      cwd: dir,
      env: { SUPABASE_URL: server.url, SUPABASE_SERVICE_ROLE_KEY: server.anonKey },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[unauthorized]');
  });
});
