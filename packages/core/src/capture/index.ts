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
} from './validate.js';
