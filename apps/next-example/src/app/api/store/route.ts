import { isFactoredError } from '@factoredui/core';
import type { NextRequest } from 'next/server';
import { BROWSER_METHODS, type StoreRequest, type StoreResponse } from '../../../lib/http-store';
import { getRuntime } from '../../../lib/runtime';
import { USER_COOKIE } from '../../../lib/shared';

const STATUS: Record<string, number> = {
  invalid_input: 400,
  unauthorized: 403,
  not_found: 404,
  conflict: 409,
  verification_failed: 422,
  insufficient_data: 422,
};

const answer = (body: StoreResponse, status = 200) => Response.json(body, { status });

/** Runs one store call for the visitor of the `fui_uid` cookie, as that user. */
export async function POST(request: NextRequest): Promise<Response> {
  const userId = request.cookies.get(USER_COOKIE)?.value;
  if (!userId)
    return answer(
      { error: { code: 'unauthorized', message: 'No visitor cookie; reload the page.' } },
      401,
    );
  const body = (await request.json().catch(() => null)) as Partial<StoreRequest> | null;
  const method = body?.method;
  if (!method || !BROWSER_METHODS.includes(method) || !Array.isArray(body.args)) {
    return answer(
      { error: { code: 'invalid_input', message: `Not a browser store call: ${String(method)}.` } },
      400,
    );
  }
  const store = (await getRuntime()).storeFor(userId);
  try {
    const fn = store[method] as (...args: unknown[]) => Promise<unknown>;
    const result = await fn.apply(store, body.args);
    return answer({ result: result ?? null });
  } catch (error) {
    if (isFactoredError(error)) {
      return answer(
        {
          error: {
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
          },
        },
        STATUS[error.code] ?? 500,
      );
    }
    throw error;
  }
}
