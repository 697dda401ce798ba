/** Who a store acts as. */
export interface StoreIdentity {
  /**
   * `user`: an end user, who reads and writes only their own data.
   * `service`: a server/admin role that may write definitions and run maintenance.
   * `anon`: no user; may read nothing private.
   */
  role: 'user' | 'service' | 'anon';
  /** The user id for `role: 'user'`, otherwise `null`. */
  userId: string | null;
}

/** Identity capability: who the store acts as. */
export interface IdentityCapability {
  /** The identity this store instance acts as. */
  getIdentity(): Promise<StoreIdentity>;
}
