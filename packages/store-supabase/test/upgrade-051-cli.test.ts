import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSpec } from '@factoredui/core';
import { readBootstrap } from '@factoredui/store-supabase/migrate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { pgliteFromSnapshot } from './harness/pglite-snapshot.js';

// `factoredui upgrade` in-process on an on-disk PGlite database holding the 0.5.1 fixture.

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

async function cli(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runCli(argv, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env: {},
    cwd: process.cwd(),
  });
  return { status, out, err };
}

describe('factoredui upgrade (0.5.1 database, PGlite on disk)', () => {
  let dir: string;
  let url: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'factoredui-upgrade-'));
    const db = await pgliteFromSnapshot('bare', join(dir, 'db'));
    await db.exec(readBootstrap());
    await db.exec(fixture('legacy-051-schema.sql'));
    await db.exec(fixture('legacy-051-data.sql'));
    await db.close();
    url = `pglite://${join(dir, 'db')}`;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--dry-run prints per table what will move and why rows cannot, and changes nothing', async () => {
    const first = await cli(['upgrade', '--dry-run', '--database-url', url]);
    expect(first.err).toBe('');
    expect(first.status).toBe(0);
    expect(first.out).toContain('nothing was changed');
    expect(first.out).toMatch(/events\s+12\s+0\s+11\s+1\s+0\s+factoredui\.events/);
    expect(first.out).toMatch(
      /experiment_assignments\s+5\s+0\s+4\s+1\s+0\s+factoredui\.assignments/,
    );
    expect(first.out).toContain('1 skipped: component_path is not a valid path');
    // The same plan again: the dry run changed nothing.
    expect((await cli(['upgrade', '--dry-run', '--database-url', url])).out).toBe(first.out);
  });

  it('upgrade moves the data and reports it; a second run moves nothing', async () => {
    const run = await cli(['upgrade', '--database-url', url]);
    expect(run.err).toBe('');
    expect(run.status).toBe(0);
    expect(run.out).toContain('applied     20261201000100_factoredui_upgrade_051.sql');
    expect(run.out).toMatch(/governance_log\s+4\s+0\s+3\s+1\s+0\s+factoredui\.governance_log/);
    expect(run.out).toContain('Checked again: nothing left to move.');
    const again = await cli(['upgrade', '--database-url', url]);
    expect(again.status).toBe(0);
    expect(again.out).not.toContain('applied');
    expect(again.out).toContain('Checked again: nothing left to move.');
    const plan = await cli(['upgrade', '--dry-run', '--database-url', url]);
    expect(plan.out).toContain('0 migration(s) to apply');
    expect(plan.out).toMatch(/events\s+12\s+11\s+0\s+1\s+0/);
  });
});

describe('factoredui convert-spec (a 0.5.1 spec file)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'factoredui-convert-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the converted spec next to it, valid, and prints every approximation', async () => {
    const spec05 = {
      spec: {
        spec_version: 1,
        renderer_min: 1,
        root: {
          id: 'root',
          type: 'column',
          children: [
            { id: 't', type: 'text', props: { value: 'Hi {user.name}', color: 'red' } },
            {
              id: 'b',
              type: 'button',
              props: { label: 'Go' },
              action: { action: 'go', params: { to: 'home' } },
            },
          ],
        },
      },
      signature: 'c2ln',
      signed_at: '2025-01-01T00:00:00Z',
      spec_hash: 'abc',
    };
    await writeFile(join(dir, 'home.json'), JSON.stringify(spec05));
    const run = await cli(['convert-spec', join(dir, 'home.json')]);
    expect(run.status).toBe(0);
    expect(run.err).toBe(
      'warning: root.children[0]: prop color dropped (use variant and tone from the theme).\n',
    );
    expect(run.out).toContain('home.converted.json (valid; 1 warning)');
    const converted = JSON.parse(await readFile(join(dir, 'home.converted.json'), 'utf8'));
    expect(validateSpec(converted).valid).toBe(true);
    expect(converted.root.children[1].action).toEqual({ name: 'go', params: { to: 'home' } });
    // Never overwrites without --force.
    const again = await cli(['convert-spec', join(dir, 'home.json')]);
    expect(again.status).toBe(1);
    expect(again.err).toContain('already exists; pass --force');
  });

  it('refuses a file that is not a 0.5 spec, saying why', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ root: { id: 'x', type: 'carousel' } }));
    const run = await cli(['convert-spec', join(dir, 'bad.json'), '--out', '-']);
    expect(run.status).toBe(1);
    expect(run.err).toContain('root has type "carousel", which is not a 0.5 node type.');
  });
});

describe('factoredui keygen --import (a 0.5.1 key)', () => {
  // 0.5.1 printed WebCrypto exports in base64: the private key as PKCS#8, the public key raw.
  const pair = generateKeyPairSync('ed25519');
  const private05 = pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  const publicHex = pair.publicKey
    .export({ format: 'der', type: 'spki' })
    .subarray(-32)
    .toString('hex');

  it('imports the 0.5.1 private key (literal or env:NAME) with the same public key', async () => {
    const run = await cli(['keygen', '--import', private05, '--key-id', 'legacy-05']);
    expect(run.err).toBe('');
    expect(run.status).toBe(0);
    const key = JSON.parse(run.out);
    expect(key).toMatchObject({ keyId: 'legacy-05', algorithm: 'ed25519', publicKey: publicHex });
    expect(key.privateKey).toMatch(/^[0-9a-f]{64}$/);
    let out = '';
    const status = await runCli(['keygen', '--import', 'env:OLD_KEY', '--key-id', 'legacy-05'], {
      stdout: (t) => {
        out += t;
      },
      stderr: () => undefined,
      env: { OLD_KEY: private05 },
      cwd: process.cwd(),
    });
    expect(status).toBe(0);
    expect(JSON.parse(out).privateKey).toBe(key.privateKey);
  });

  it('refuses what is not an Ed25519 private key (usage error naming the accepted forms)', async () => {
    const run = await cli(['keygen', '--import', 'bm90IGEga2V5']);
    expect(run.status).toBe(2);
    expect(run.err).toContain('Give the private key FactoredUI 0.5.1 printed');
  });
});
