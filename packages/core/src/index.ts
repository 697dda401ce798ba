/**
 * `@factoredui/core`: capture, factors, experiments, governance and the SDUI engine, with
 * persistence behind one {@link FactoredStore} interface.
 *
 * @packageDocumentation
 */
export * from './capture/index.js';
export * from './errors.js';
export * from './experiments/index.js';
export * from './factors/index.js';
export * from './governance/index.js';
export * from './legacy/index.js';
export * from './lifecycle/index.js';
export {
  assertWithinLimit,
  type JsonMeasure,
  jsonLimitProblem,
  LIMITS,
  type LimitName,
  measureJson,
  stringLimitProblem,
} from './limits.js';
export * from './metrics/index.js';
export * from './observe/index.js';
export * from './sdui/index.js';
export type * from './store/index.js';
export { createEventId, createRandomId, isUuid } from './util/ids.js';
export { isJsonValue, type JsonObject, type JsonValue } from './util/json.js';
export { createMemoryKVStorage, type KVStorage } from './util/kv.js';
export { type TimeInput, toEpochMs, toIsoString } from './util/time.js';
