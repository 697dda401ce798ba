import { FactoredError, type StoreIdentity } from '@factoredui/core';

/** What a memory store may do: the in-memory counterpart of row-level security. */
export interface Access {
  readonly identity: StoreIdentity;
  /** True for the service role. */
  readonly isService: boolean;
  /** Whether rows of `userId` are visible to this store. */
  canSee(userId: string): boolean;
  /** Throws `unauthorized` unless this store may write rows of `userId`. */
  assertCanWrite(userId: string, what: string): void;
  /** Throws `unauthorized` unless this is the service role. */
  assertService(operation: string): void;
}

/** Builds the access rules of an identity. */
export function createAccess(identity: StoreIdentity): Access {
  const isService = identity.role === 'service';
  return {
    identity,
    isService,
    canSee: (userId) => isService || (identity.role === 'user' && identity.userId === userId),
    assertCanWrite(userId, what) {
      if (isService || (identity.role === 'user' && identity.userId === userId)) return;
      throw new FactoredError(
        'unauthorized',
        `${what}: a store acting as ${identity.userId ?? identity.role} cannot write data of user ${userId}.`,
      );
    },
    assertService(operation) {
      if (!isService) {
        throw new FactoredError(
          'unauthorized',
          `${operation} requires the service role; create the store with { role: 'service' }.`,
        );
      }
    },
  };
}
