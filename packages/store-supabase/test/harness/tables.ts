/** Anything that runs a query and returns its rows: a `pg` Pool or Client, PGlite. */
export interface RowSource {
  query(text: string): Promise<{ rows: unknown[] }>;
}

/**
 * Every row of every table of schema `factoredui`, all columns as `to_jsonb` gives them, read
 * with the owner connection (past row-level security): what the data-lifecycle conformance
 * suite scans for an erased user's ids.
 */
export async function dumpTables(sql: RowSource): Promise<Record<string, unknown>> {
  const { rows } = await sql.query(
    `select tablename::text as name from pg_tables where schemaname = 'factoredui' order by 1`,
  );
  const out: Record<string, unknown> = {};
  for (const row of rows as { name: string }[]) {
    const result = await sql.query(
      `select coalesce(jsonb_agg(to_jsonb(t)), '[]') as rows from factoredui.${JSON.stringify(row.name)} t`,
    );
    out[row.name] = (result.rows[0] as { rows: unknown }).rows;
  }
  return out;
}
