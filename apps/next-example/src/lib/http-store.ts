import { FactoredError, type FactoredErrorCode, type FactoredStore } from '@factoredui/core';

/**
 * The store methods the browser calls: capture (sessions, events), flags (definitions, own
 * assignments and factors, recording assignments and exposures) and specs. The route refuses
 * every other method.
 */
export const BROWSER_METHODS = [
  'getIdentity',
  'startSession',
  'insertEvents',
  'listExperiments',
  'listAssignments',
  'getHoldout',
  'getFactors',
  'recordAssignment',
  'recordExposure',
  'getActiveSpec',
  'getSpec',
] as const satisfies readonly (keyof FactoredStore)[];

/** One of {@link BROWSER_METHODS}. */
export type BrowserMethod = (typeof BROWSER_METHODS)[number];

/** The JSON body of `POST /api/store`. */
export interface StoreRequest {
  method: BrowserMethod;
  args: unknown[];
}

/** The JSON answer: the method's result, or the `FactoredError` it threw. */
export type StoreResponse =
  | { result: unknown }
  | { error: { code: FactoredErrorCode; message: string; details?: Record<string, unknown> } };

const CODES: readonly FactoredErrorCode[] = [
  'invalid_input',
  'not_found',
  'conflict',
  'unauthorized',
  'unavailable',
  'insufficient_data',
  'verification_failed',
  'internal',
];

/**
 * A {@link FactoredStore} for the browser that forwards each call to the server's store for
 * the visitor (`POST /api/store`, identified by the `fui_uid` cookie), so the browser and the
 * server share one memory database. Errors come back as `FactoredError`s with the server's
 * code. It has no `subscribe`: the flag client refreshes on its TTL instead.
 *
 * This transport belongs to the example: with Supabase, the browser talks to Supabase directly.
 */
export function createHttpStore(endpoint = '/api/store'): FactoredStore {
  const call = async (method: BrowserMethod, args: unknown[]): Promise<unknown> => {
    // The page-hide flush of capture asks for a request that survives the page.
    const keepalive =
      method === 'insertEvents' && (args[1] as { keepalive?: boolean } | undefined)?.keepalive;
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method, args } satisfies StoreRequest),
        credentials: 'same-origin',
        ...(keepalive ? { keepalive: true } : {}),
      });
    } catch (error) {
      throw new FactoredError('unavailable', `${method}: the server is unreachable; retry.`, {
        cause: error,
      });
    }
    const body = (await response.json().catch(() => null)) as StoreResponse | null;
    if (body && 'result' in body && response.ok) return body.result;
    const error = body && 'error' in body ? body.error : null;
    const code = error && CODES.includes(error.code) ? error.code : 'unavailable';
    throw new FactoredError(code, error?.message ?? `${method}: HTTP ${response.status}.`, {
      ...(error?.details ? { details: error.details } : {}),
    });
  };
  const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of BROWSER_METHODS) methods[method] = (...args) => call(method, args);
  return new Proxy(methods, {
    get(target, key) {
      if (typeof key !== 'string' || key === 'subscribe' || key === 'then') return undefined;
      return (
        target[key] ??
        (() =>
          Promise.reject(
            new FactoredError(
              'unauthorized',
              `${key}: not available to the browser in this example; call it on the server.`,
            ),
          ))
      );
    },
  }) as unknown as FactoredStore;
}
