import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { PostgrestServer } from './postgrest.js';

/**
 * Client options for tests: no persisted session, no background refresh, and `ws` as the
 * realtime transport (Node 20 has no global WebSocket).
 */
export const testClientOptions = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
};

/** A supabase-js client with the service-role key. */
export function serviceClient(
  server: Pick<PostgrestServer, 'url' | 'serviceRoleKey'>,
): SupabaseClient {
  return createClient(server.url, server.serviceRoleKey, testClientOptions);
}

/** A supabase-js client with the anon key and no session. */
export function anonClient(server: Pick<PostgrestServer, 'url' | 'anonKey'>): SupabaseClient {
  return createClient(server.url, server.anonKey, testClientOptions);
}

/**
 * A supabase-js client signed in as `userId`, the way a browser app is: anon key plus an auth
 * session (set through `auth.setSession`, which asks `GET /auth/v1/user` to confirm it).
 */
export async function userClient(server: PostgrestServer, userId: string): Promise<SupabaseClient> {
  const client = createClient(server.url, server.anonKey, testClientOptions);
  const { error } = await client.auth.setSession({
    access_token: server.userToken(userId),
    refresh_token: `refresh-${userId}`,
  });
  if (error) throw error;
  return client;
}
