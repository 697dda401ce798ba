import type { Access } from './access.js';
import type { MemoryDatabase } from './database.js';

/** What every capability of a memory store is built from. */
export interface MemoryContext {
  readonly db: MemoryDatabase;
  /** Resolves the access rules once the database is loaded and the identity is known. */
  access(): Promise<Access>;
}
