import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { migrate } from '../../src/migrate.js';
import { migrationsFingerprint } from './fingerprint.js';

/**
 * Migrated PGlite databases made once and cloned per test.
 *
 * Starting PGlite runs `initdb` (seconds, tens of seconds on a loaded machine) and the
 * migrations add more. Instead, the first caller builds the database once, dumps its data
 * directory to a tarball under `node_modules/.cache/factoredui-test/`, and every test file
 * starts from that tarball (`loadDataDir`), which skips both. The tarball's name carries a
 * fingerprint of the bootstrap, the migrations and the PGlite version, so a changed migration
 * builds a new one and a stale one is never used. The root vitest config builds them in its
 * global setup, before any worker starts; a process that finds none (a bench, a single file run
 * with another config) builds it under a lock file, so concurrent callers build it once.
 */

/** Which database a snapshot holds. */
export type SnapshotKind =
  /** initdb only: no roles, no schema (for tests of `migrate` itself). */
  | 'bare'
  /** bootstrap + every migration. */
  | 'migrated'
  /** the publication `supabase_realtime` first (as on Supabase), then bootstrap + migrations. */
  | 'migrated-realtime';

const KINDS: readonly SnapshotKind[] = ['bare', 'migrated', 'migrated-realtime'];

const here = dirname(fileURLToPath(import.meta.url));
const CACHE_DIR = join(here, '..', '..', '..', '..', 'node_modules', '.cache', 'factoredui-test');

function snapshotPath(kind: SnapshotKind): string {
  return join(CACHE_DIR, `pglite-${kind}-${migrationsFingerprint()}.tar`);
}

async function buildSnapshot(kind: SnapshotKind): Promise<Uint8Array> {
  const db = new PGlite();
  try {
    await db.waitReady;
    if (kind === 'migrated-realtime') await db.exec('create publication supabase_realtime');
    if (kind !== 'bare') await migrate(db, { bootstrap: true });
    const dump = await db.dumpDataDir('none');
    return new Uint8Array(await dump.arrayBuffer());
  } finally {
    await db.close();
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Makes sure the snapshot of `kind` exists on disk and returns its path. Exactly one process
 * builds it: the one that creates the lock file. The others wait for the tarball, and take the
 * lock over if its owner died (no time limit is assumed: a loaded machine only waits longer).
 */
export async function ensureSnapshot(kind: SnapshotKind): Promise<string> {
  const path = snapshotPath(kind);
  const lock = `${path}.lock`;
  mkdirSync(CACHE_DIR, { recursive: true });
  for (;;) {
    if (existsSync(path)) return path;
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
    } catch {
      const owner = Number(readFileSync(lock, { encoding: 'utf8', flag: 'a+' }));
      if (Number.isInteger(owner) && owner > 0 && !processIsAlive(owner))
        rmSync(lock, { force: true });
      await sleep(100);
      continue;
    }
    try {
      writeFileSync(fd, String(process.pid));
      if (existsSync(path)) return path;
      const bytes = await buildSnapshot(kind);
      const partial = `${path}.${process.pid}.partial`;
      writeFileSync(partial, bytes);
      renameSync(partial, path);
      return path;
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

/** Builds every snapshot kind that is missing (the vitest global setup calls this). */
export async function ensureAllSnapshots(): Promise<void> {
  for (const kind of KINDS) await ensureSnapshot(kind);
}

const loaded = new Map<SnapshotKind, Blob>();

/** The snapshot of `kind` as a Blob for `new PGlite({ loadDataDir })`, read once per process. */
export async function snapshotBlob(kind: SnapshotKind): Promise<Blob> {
  let blob = loaded.get(kind);
  if (!blob) {
    blob = new Blob([readFileSync(await ensureSnapshot(kind))]);
    loaded.set(kind, blob);
  }
  return blob;
}

/**
 * A new PGlite database started from the snapshot of `kind`: in memory, or on disk at `dataDir`
 * (the directory must not hold a database yet).
 */
export async function pgliteFromSnapshot(kind: SnapshotKind, dataDir?: string): Promise<PGlite> {
  const loadDataDir = await snapshotBlob(kind);
  const db =
    dataDir === undefined ? new PGlite({ loadDataDir }) : new PGlite(dataDir, { loadDataDir });
  await db.waitReady;
  return db;
}
