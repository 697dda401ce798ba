import type { FactoredStore } from '../store/contract.js';

/**
 * How the conformance suite reaches a store implementation. Every store package provides one
 * and calls {@link runStoreConformanceSuite} with it.
 */
export interface StoreHarness {
  /** A store acting as end user `userId` (sees and writes only that user's data). */
  user(userId: string): Promise<FactoredStore>;
  /** A store acting with the service (server/admin) role. */
  service(): Promise<FactoredStore>;
  /** A store acting with no user at all, where the backend has such a role. */
  anon?(): Promise<FactoredStore>;
  /**
   * Every row of every table the store keeps, as stored (all columns, service-only tables
   * included), keyed by table name. The data-lifecycle suite scans it for an erased user's id
   * and session ids, so it must not go through the store's API.
   */
  tables(): Promise<Record<string, unknown>>;
  /** Removes all data; called before each test. */
  reset(): Promise<void>;
  /** Releases resources; called once after the suite. */
  close?(): Promise<void>;
}

/** Options of {@link runStoreConformanceSuite}. */
export interface ConformanceOptions {
  /** Name shown in the test report, e.g. `store-memory`. */
  name: string;
  /** Creates the harness once for the whole suite. */
  createHarness: () => Promise<StoreHarness>;
}

/** Deterministic UUIDs for test users, so fixtures read the same on every store. */
export const TEST_USERS = {
  alice: '00000000-0000-4000-8000-00000000a11c',
  bob: '00000000-0000-4000-8000-000000000b0b',
  carol: '00000000-0000-4000-8000-0000000ca201',
} as const;

/** A deterministic UUID for the n-th test entity of a kind (n < 16^12). */
export function testUuid(kind: number, n: number): string {
  const tail = n.toString(16).padStart(12, '0');
  const head = kind.toString(16).padStart(8, '0');
  return `${head}-0000-4000-8000-${tail}`;
}
