export type {
  CaptureAdapter,
  CaptureAdapterContext,
  CapturedEvent,
  CaptureEmit,
} from './adapter.js';
export {
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_MAX_MS,
  type RetryOptions,
  retryDelay,
} from './backoff.js';
export { type ClearPersistedCaptureOptions, clearPersistedCapture } from './clear.js';
export {
  type CustomEventPayload,
  customEventPayload,
  customPayloadProblem,
  DEFAULT_TRACK_PATH,
  type EventProperties,
  eventNameProblem,
  eventPropertiesProblem,
  readCustomEvent,
} from './custom.js';
export {
  createRageClickDetector,
  createScrollReversalDetector,
  type RageBurst,
  type RageClickDetector,
  type RageClickInput,
  type RageClickOptions,
  type ScrollReversalDetector,
  type ScrollReversalOptions,
} from './detectors.js';
export {
  type CaptureHandle,
  type CapturePhase,
  type CaptureStats,
  type InitCaptureOptions,
  initCapture,
  type TrackOptions,
} from './init.js';
export { createQueueKeeper, type QueueKeeper, type QueueKeeperOptions } from './keeper.js';
export {
  type CaptureLocks,
  createTabOwnership,
  type TabOwnership,
  type TabOwnershipOptions,
} from './ownership.js';
export {
  IGNORE_ATTRIBUTE,
  NO_DEAD_ATTRIBUTE,
  NO_RAGE_ATTRIBUTE,
  PATH_ATTRIBUTES,
  resolveComponentPath,
} from './path.js';
export {
  type CommitResult,
  createQueuePersistence,
  isQuotaError,
  type PersistedQueue,
  type QueuePersistence,
  type QueueSnapshot,
  readPersistedQueue,
  removePersistedQueue,
} from './persistence.js';
export {
  createEventQueue,
  type EventQueue,
  type EventQueueLimits,
  type QueueEntry,
} from './queue.js';
export {
  createSessionManager,
  DEFAULT_SESSION_STORAGE_KEY,
  DEFAULT_SESSION_TIMEOUT_MS,
  type SessionManager,
  type SessionManagerOptions,
} from './session.js';
export type { CaptureTimers, TimerHandle } from './timers.js';
export {
  createTransport,
  DEFAULT_STORE_TIMEOUT_MS,
  type Transport,
  type TransportOptions,
} from './transport.js';
export * from './types.js';
export {
  assertComponentPath,
  assertValidEvents,
  assertValidSession,
  componentPathProblem,
  eventProblem,
  isEventType,
  MAX_PATH_LENGTH,
  MAX_PAYLOAD_CHARS,
  metadataProblem,
  payloadProblem,
} from './validate.js';
export { createWebAdapter, type DeadClickOptions, type WebAdapterOptions } from './web.js';
export {
  type CaptureStore,
  createEventWriter,
  DEFAULT_PERSIST_DELAY_MS,
  DEFAULT_QUEUE_STORAGE_KEY,
  type EventDraft,
  type EventWriter,
  type EventWriterOptions,
  type EventWriterPhase,
  type EventWriterStats,
  type FlushResult,
  type QueuedEvent,
} from './writer.js';
