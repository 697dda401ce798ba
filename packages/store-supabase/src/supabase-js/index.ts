export type {
  PostgrestErrorLike,
  PostgrestResponseLike,
  SupabaseClientLike,
  SupabaseSchemaClientLike,
  SupabaseSessionLike,
} from './client.js';
export { mapPostgrestError, PostgrestDatabaseError } from './errors.js';
export {
  createSupabaseGateway,
  FACTOREDUI_SCHEMA,
  type SupabaseGatewayOptions,
} from './gateway.js';
export { TOPIC_TABLES } from './realtime.js';
export { createSupabaseStore, type SupabaseStoreOptions } from './store.js';
