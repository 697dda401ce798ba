import type { RealtimeChannel, RealtimeChannelOptions } from '@supabase/supabase-js';

/** A PostgREST error as supabase-js returns it (`PostgrestError` or a fetch failure). */
export interface PostgrestErrorLike {
  message: string;
  /** A SQLSTATE (`23505`), a PostgREST code (`PGRST301`), or `''` for a network failure. */
  code?: string;
  details?: string | null;
  hint?: string | null;
}

/** The result of a supabase-js RPC call. `status` is the HTTP status (0 when nothing came back). */
export interface PostgrestResponseLike {
  data: unknown;
  error: PostgrestErrorLike | null;
  status: number;
}

/** What the transport uses of `client.schema(name)`. */
export interface SupabaseSchemaClientLike {
  rpc(fn: string, args?: Record<string, unknown>): PromiseLike<PostgrestResponseLike>;
}

/** The session part of `client.auth.getSession()`. */
export interface SupabaseSessionLike {
  user: { id: string };
}

/**
 * The slice of a `SupabaseClient` (from `@supabase/supabase-js` v2) the transport uses. Any
 * client made by `createClient(url, key)` satisfies it, whatever its `Database` type, so the
 * store does not constrain how the application types its own schema.
 */
export interface SupabaseClientLike {
  schema(schema: string): SupabaseSchemaClientLike;
  channel(name: string, options?: RealtimeChannelOptions): RealtimeChannel;
  removeChannel(channel: RealtimeChannel): Promise<unknown>;
  auth: {
    getSession(): Promise<{
      data: { session: SupabaseSessionLike | null };
      error: { message: string } | null;
    }>;
  };
}
