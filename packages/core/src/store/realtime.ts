/** Topics a store may publish changes on. */
export type StoreTopic =
  | 'events'
  | 'factors'
  | 'experiments'
  | 'assignments'
  | 'governance'
  | 'specs';

/** A change notification. Carries no row data: listeners re-read what they need. */
export interface StoreChange {
  topic: StoreTopic;
  /** The affected experiment, spec name, user... when known. */
  key?: string;
}

/** Optional realtime capability. */
export interface RealtimeCapability {
  /**
   * Calls `listener` after each committed change on `topic`. Returns an unsubscribe function.
   * Stores without realtime leave `subscribe` undefined; callers then poll.
   */
  subscribe?(topic: StoreTopic, listener: (change: StoreChange) => void): () => void;
}
