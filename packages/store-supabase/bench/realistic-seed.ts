/**
 * Writes the realistic generator's data (scripts/bench/realistic-events.ts) into a migrated
 * database, in chunks of whole sessions, straight into the tables as the owner (the triggers
 * and constraints run; the API's JSON parsing does not, so seeding stays out of the figures).
 * Shared by the SQL benchmarks and the tests that compare SQL with the reference engine.
 */
import {
  type RealisticChunk,
  type RealisticEventOptions,
  realisticEventChunks,
} from '../../../scripts/bench/realistic-events.js';
import type { SqlQueryable } from '../src/postgres/connection.js';

/** Inserts one chunk's sessions, then its events, with one statement each (unnest of arrays). */
export async function insertChunk(sql: SqlQueryable, chunk: RealisticChunk): Promise<void> {
  if (chunk.sessions.length > 0) {
    await sql.query(
      `insert into factoredui.sessions (id, user_id, started_at, metadata)
       select * from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::jsonb[])
       on conflict (id) do nothing`,
      [
        chunk.sessions.map((s) => s.id),
        chunk.sessions.map((s) => s.userId),
        chunk.sessions.map((s) => s.startedAt),
        chunk.sessions.map((s) => JSON.stringify(s.metadata)),
      ],
    );
  }
  if (chunk.events.length > 0) {
    await sql.query(
      `insert into factoredui.events (id, session_id, user_id, type, path, payload, created_at)
       select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::timestamptz[])`,
      [
        chunk.events.map((e) => e.id),
        chunk.events.map((e) => e.sessionId),
        chunk.events.map((e) => e.userId),
        chunk.events.map((e) => e.type),
        chunk.events.map((e) => e.path),
        chunk.events.map((e) => JSON.stringify(e.payload)),
        chunk.events.map((e) => e.createdAt),
      ],
    );
  }
}

/**
 * Seeds `options.events` realistic events (and their sessions) and analyzes the tables.
 * Memory stays bounded by one chunk (`chunkEvents`, default 20,000).
 */
export async function seedRealistic(
  sql: SqlQueryable,
  options: RealisticEventOptions,
  chunkEvents = 20_000,
): Promise<void> {
  for (const chunk of realisticEventChunks(options, chunkEvents)) await insertChunk(sql, chunk);
  await sql.query('analyze factoredui.sessions');
  await sql.query('analyze factoredui.events');
}
