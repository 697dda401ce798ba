import { type NextRequest, NextResponse } from 'next/server';
import { USER_COOKIE } from './lib/shared';

/**
 * Gives every visitor an id on the first request (a cookie), visible to the page of that
 * same request: the server renders the visitor's variant from the first byte.
 */
export function proxy(request: NextRequest): NextResponse {
  if (request.cookies.has(USER_COOKIE)) return NextResponse.next();
  const userId = crypto.randomUUID();
  request.cookies.set(USER_COOKIE, userId);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.cookies.set(USER_COOKIE, userId, {
    path: '/',
    sameSite: 'lax',
    httpOnly: true,
    maxAge: 60 * 60 * 24 * 365,
  });
  return response;
}

export const config = { matcher: ['/((?!_next/|favicon.ico).*)'] };
