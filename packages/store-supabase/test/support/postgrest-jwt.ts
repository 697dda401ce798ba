import { createHmac, timingSafeEqual } from 'node:crypto';

/** JWT claims as Supabase issues them (only the ones the test endpoint reads are typed). */
export interface JwtClaims {
  role?: string;
  sub?: string;
  exp?: number;
  iat?: number;
  aud?: string;
  email?: string;
  [claim: string]: unknown;
}

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** Signs `claims` as an HS256 JWT with `secret` (what Supabase's legacy JWT secret does). */
export function signJwt(claims: JwtClaims, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

/** Why {@link verifyJwt} rejected a token; mirrors PostgREST's PGRST301/PGRST303 messages. */
export class JwtError extends Error {
  override readonly name = 'JwtError';
}

/**
 * Verifies an HS256 JWT against `secret` and returns its claims. Rejects other algorithms,
 * malformed tokens, bad signatures and expired tokens, as PostgREST does.
 */
export function verifyJwt(token: string, secret: string, nowMs = Date.now()): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('Expected 3 parts in JWT; got ' + parts.length);
  const [header, body, signature] = parts as [string, string, string];
  let parsedHeader: { alg?: unknown };
  let claims: JwtClaims;
  try {
    parsedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('JWT cryptographic operation failed');
  }
  if (parsedHeader.alg !== 'HS256') throw new JwtError('Wrong or unsupported encoding algorithm');
  const expected = createHmac('sha256', secret).update(`${header}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new JwtError('JWT cryptographic operation failed');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new JwtError('JWT claims are not an object');
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs) {
    throw new JwtError('JWT expired');
  }
  return claims;
}
