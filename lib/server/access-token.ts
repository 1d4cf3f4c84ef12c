import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The access token of `vsearch serve`: generated for a bind that is not loopback (or given with --token /
 * VSEARCH_TOKEN), presented as `Authorization: Bearer <token>` by API callers, or as a cookie by the search page and
 * its `<video>` and `<img>` requests, which cannot send headers. The cookie is set when the page is opened with
 * `?token=`; it is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it) and named after the
 * port, so two servers on one machine keep their own.
 */

/** What a token may hold: URL- and cookie-safe characters, at least 16 of them. */
export const TOKEN_FORMAT = /^[A-Za-z0-9._~-]{16,}$/;

/** 24 random bytes, base64url: 32 characters. */
export function newAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison: equal-length SHA-256 digests, so neither the length nor a common prefix shows in timing. */
export function tokenMatches(presented: string, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

export function tokenCookieName(port: number): string {
  return `vsearch-token-${port}`;
}

export function tokenCookie(name: string, token: string): string {
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Every token a request presents: the bearer token of its Authorization header and its cookies of that name. */
export function presentedTokens(headers: IncomingHttpHeaders, cookieName: string): string[] {
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  const cookies = (headers.cookie ?? '')
    .split(';')
    .map((pair) => pair.trim().split('='))
    .filter(([name]) => name === cookieName)
    .map(([, ...value]) => value.join('='));
  return bearer === undefined ? cookies : [bearer, ...cookies];
}
