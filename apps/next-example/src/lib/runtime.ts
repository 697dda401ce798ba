import { createHmac } from 'node:crypto';
import {
  createEd25519Signer,
  createEd25519Verifier,
  createExperiment,
  type FactoredStore,
  generateEd25519Keypair,
  listExperiments,
  nextSpecVersion,
  publishSpec,
  type SpecVerifier,
  startExperiment,
} from '@factoredui/core';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryDatabase,
} from '@factoredui/store-memory';
import { createSupabaseStore } from '@factoredui/store-supabase';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { HERO_FLAG, HERO_PATH, PROMO_SLOT, PROMO_SPEC } from './shared';

/** What the server holds for the life of the process. */
export interface Runtime {
  /** `memory` (default) or `supabase` (when the Supabase variables are set). */
  readonly kind: 'memory' | 'supabase';
  /** The service store: server components read flag state and specs through it. */
  readonly service: FactoredStore;
  /** A store acting as `userId` (row-level rules apply), for the browser's requests. */
  storeFor(userId: string): FactoredStore;
  /** Trusts only the key generated at this start-up. */
  readonly verifier: SpecVerifier;
  /** The id of that key (shown next to the promo). */
  readonly keyId: string;
}

async function seed(service: FactoredStore): Promise<void> {
  const existing = await listExperiments(service, { status: ['running'] });
  if (!existing.some((experiment) => experiment.name === HERO_FLAG)) {
    const draft = await createExperiment(service, {
      name: HERO_FLAG,
      description: 'Which headline makes visitors explore the shop.',
      path: HERO_PATH,
      variants: [
        { key: 'control', weight: 50, config: { headline: 'Small things, made well' } },
        { key: 'bold', weight: 50, config: { headline: 'Tools you will keep for life' } },
      ],
    });
    await startExperiment(service, draft.id);
  }
}

/** Signs the promo with a key generated now: the verifier trusts that key only. */
async function publishPromo(service: FactoredStore) {
  const keypair = await generateEd25519Keypair();
  const keyId = `next-example-${new Date().toISOString().slice(0, 19)}`;
  const verifier = createEd25519Verifier({ [keyId]: keypair.publicKey });
  const signer = createEd25519Signer({ privateKey: keypair.privateKey, keyId });
  // The version is signed too: one above what the store already holds for the slot.
  const version = await nextSpecVersion(service, PROMO_SLOT);
  const envelope = await signer.sign(PROMO_SPEC, { ...PROMO_SLOT, version });
  await publishSpec(service, { ...PROMO_SLOT, envelope, verifier });
  return { verifier, keyId };
}

/** The Supabase settings, when every one of them is set (`null` when none is). */
function supabaseSettings() {
  const settings = {
    SUPABASE_URL: process.env.SUPABASE_URL,
    SUPABASE_ANON_KEY: process.env.SUPABASE_ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: process.env.SUPABASE_SERVICE_ROLE_KEY,
    SUPABASE_JWT_SECRET: process.env.SUPABASE_JWT_SECRET,
  };
  const missing = Object.entries(settings).filter(([, value]) => !value);
  if (missing.length === 4) return null;
  if (missing.length > 0)
    throw new Error(
      `Supabase mode needs ${missing.map(([name]) => name).join(', ')} too (see README.md), or none of the SUPABASE_* variables for the memory store.`,
    );
  return settings as Record<keyof typeof settings, string>;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A short-lived access token for `userId`, signed like Supabase Auth's (HS256). */
function userToken(userId: string, secret: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      sub: userId,
      role: 'authenticated',
      aud: 'authenticated',
      iat: now,
      exp: now + 600,
    }),
  );
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

const serverClientOptions = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  // Node 20 has no global WebSocket; supabase-js wants one even if nothing subscribes.
  realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
};

async function createSupabaseRuntime(
  settings: NonNullable<ReturnType<typeof supabaseSettings>>,
): Promise<Runtime> {
  const service = createSupabaseStore(
    createClient(settings.SUPABASE_URL, settings.SUPABASE_SERVICE_ROLE_KEY, serverClientOptions),
    { role: 'service' },
  );
  await seed(service);
  const { verifier, keyId } = await publishPromo(service);
  return {
    kind: 'supabase',
    service,
    // The visitor's calls run under row-level security, as that user.
    storeFor: (userId) =>
      createSupabaseStore(
        createClient(settings.SUPABASE_URL, settings.SUPABASE_ANON_KEY, {
          ...serverClientOptions,
          global: {
            headers: { Authorization: `Bearer ${userToken(userId, settings.SUPABASE_JWT_SECRET)}` },
          },
        }),
      ),
    verifier,
    keyId,
  };
}

async function createRuntime(): Promise<Runtime> {
  const supabase = supabaseSettings();
  if (supabase) return createSupabaseRuntime(supabase);
  const database: MemoryDatabase = createMemoryDatabase();
  const service = createMemoryStore({ database, role: 'service' });
  await seed(service);
  const { verifier, keyId } = await publishPromo(service);
  return {
    kind: 'memory',
    service,
    storeFor: (userId) => createMemoryStore({ database, userId }),
    verifier,
    keyId,
  };
}

// One runtime per server process (kept on globalThis so `next dev` reloads reuse it).
const holder = globalThis as { __factoreduiExample?: Promise<Runtime> };

/** The process's runtime, created on first use. */
export function getRuntime(): Promise<Runtime> {
  holder.__factoreduiExample ??= createRuntime();
  return holder.__factoreduiExample;
}
