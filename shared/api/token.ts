/**
 * @module
 * Comparing secrets sent by clients (bearer tokens, heartbeat and probe tokens).
 */

/** Constant-time comparison, so the token cannot be guessed byte by byte from timings. */
export function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The token a request carries: `Authorization: Bearer <t>`, else `?token=<t>`. */
export function requestToken(authorization: string | undefined, query: string | undefined): string | undefined {
  if (authorization?.startsWith("Bearer ")) return authorization.slice(7);
  return query;
}
