import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newAccessToken, presentedTokens, tokenCookie, tokenCookieName, tokenMatches } from './access-token';
import { hostName, hostsServedBy, isLoopback } from './host-names';

/** A request one of the rules refuses; the server answers it as the API's JSON error. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
}

export interface AccessRules {
  /** The names a `Host` header may give this server (`hostsServedBy`). */
  hosts: ReadonlySet<string>;
  /** The token every data route requires, when one is set. */
  token?: string;
  /** The name of the cookie that carries the token (`tokenCookieName`). */
  cookie: string;
  /** The one other origin whose pages may call this server (--cors); it alone gets CORS headers. */
  cors?: string;
}

/**
 * The rules of a server listening on `address`, bound for `bindHost`: the token is the one given, or a new one when
 * the address is not loopback.
 */
export function accessRules(
  bindHost: string,
  address: AddressInfo,
  options: { token?: string; allowHosts?: string[]; cors?: string },
): AccessRules {
  return {
    hosts: hostsServedBy(bindHost, address.address, options.allowHosts),
    token: options.token ?? (isLoopback(address.address) ? undefined : newAccessToken()),
    cookie: tokenCookieName(address.port),
    cors: options.cors,
  };
}

/**
 * What to do with a request: headers for whatever answers it, then a refusal, an empty answer with this status
 * (a redirect, a CORS preflight), or neither, and the route serves it.
 */
export interface Verdict {
  headers: Record<string, string>;
  refusal?: Refusal;
  answer?: number;
}

type Request = Pick<IncomingMessage, 'method' | 'headers'>;

/**
 * The rules of `vsearch serve`, in this order:
 * 1. Every request must name this server in its Host (`hostsServedBy`): 403 host_not_allowed.
 * 2. The search page's files hold no data and need no token. Opened with `?token=`, the page checks it (401
 *    token_invalid), sets the token cookie and redirects to the same address without it (303).
 * 3. Data routes (the API, /media, /thumbnails):
 *    a. Another site's page is refused: an Origin must be the server's own (`http://<Host>`) or the --cors one (403
 *       origin_not_allowed); without an Origin, Sec-Fetch-Site must not say another site's `<img>`, `<video>`,
 *       `<iframe>` or script is asking (403 cross_site_request). A top-level navigation may come from anywhere.
 *    b. A CORS preflight from the --cors origin is answered (204).
 *    c. When a token is set, the request must present it (401 token_required, token_invalid).
 *    d. A request with a method other than GET, HEAD or OPTIONS must be JSON: forms and text/plain, which any page
 *       can send without a preflight, are refused (415 unsupported_media_type).
 */
export function checkAccess(req: Request, url: URL, rules: AccessRules, route: 'page' | 'data'): Verdict {
  const host = hostRefusal(req, rules);
  if (host) return { headers: {}, refusal: host };
  if (route === 'page') return pageLogin(url, rules);
  const crossSite = crossSiteRefusal(req, rules);
  if (crossSite) return { headers: {}, refusal: crossSite };
  const headers = corsHeaders(req, rules);
  if (req.method === 'OPTIONS' && headers['access-control-allow-origin']) {
    return { headers: { ...headers, ...PREFLIGHT }, answer: 204 };
  }
  const token = tokenRefusal(req, rules);
  if (token) return { headers: { ...headers, 'www-authenticate': 'Bearer' }, refusal: token };
  return { headers, refusal: bodyTypeRefusal(req) };
}

function hostRefusal(req: Request, { hosts }: AccessRules): Refusal | undefined {
  const host = req.headers.host;
  if (host !== undefined && hosts.has(hostName(host))) return undefined;
  return {
    status: 403,
    code: 'host_not_allowed',
    message:
      `${host === undefined ? 'a request without a Host header' : `Host "${host}"`} is refused: it does not name this ` +
      'server (the defence against DNS rebinding); use localhost, 127.0.0.1, [::1] or the address it is bound to, ' +
      'or add the name with vsearch serve --allow-host NAME',
  };
}

function crossSiteRefusal(req: Request, { cors }: AccessRules): Refusal | undefined {
  const { origin, host } = req.headers;
  if (origin !== undefined) {
    if (origin === `http://${host}` || origin === cors) return undefined;
    return {
      status: 403,
      code: 'origin_not_allowed',
      message: `a request from origin "${origin}" is refused: this server answers its own page only (vsearch serve --cors ORIGIN allows one other)`,
    };
  }
  const site = req.headers['sec-fetch-site'];
  const navigation = req.headers['sec-fetch-mode'] === 'navigate' && req.headers['sec-fetch-dest'] === 'document';
  if ((site === 'cross-site' || site === 'same-site') && !navigation) {
    return {
      status: 403,
      code: 'cross_site_request',
      message: `a request from another site's page (Sec-Fetch-Site: ${site}) is refused: the API, videos and thumbnails answer their own page only`,
    };
  }
  return undefined;
}

function tokenRefusal(req: Request, { token, cookie }: AccessRules): Refusal | undefined {
  if (token === undefined) return undefined;
  const presented = presentedTokens(req.headers, cookie);
  if (presented.some((candidate) => tokenMatches(candidate, token))) return undefined;
  return presented.length === 0
    ? {
        status: 401,
        code: 'token_required',
        message: 'this server requires its access token: open the link vsearch serve printed (/?token=…), or send "Authorization: Bearer <token>"',
      }
    : invalidToken();
}

function bodyTypeRefusal(req: Request): Refusal | undefined {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return undefined;
  return {
    status: 415,
    code: 'unsupported_media_type',
    message: `a ${req.method} must have content-type application/json${type ? `, not "${type}"` : ''}: other sites' pages can send forms and plain text unasked`,
  };
}

/** Rule 2: a page opened with the right `?token=` gets the cookie and the same address without the token. */
function pageLogin(url: URL, { token, cookie }: AccessRules): Verdict {
  const presented = url.searchParams.get('token');
  if (token === undefined || presented === null) return { headers: {} };
  if (!tokenMatches(presented, token)) return { headers: {}, refusal: invalidToken() };
  const rest = new URL(url);
  rest.searchParams.delete('token');
  // One leading slash: `//name` would be another host.
  const location = `/${rest.pathname.replace(/^\/+/, '')}${rest.search}`;
  return { headers: { location, 'set-cookie': tokenCookie(cookie, token), 'cache-control': 'no-store' }, answer: 303 };
}

function invalidToken(): Refusal {
  return {
    status: 401,
    code: 'token_invalid',
    message: 'the access token is wrong: use the one vsearch serve printed or was given (--token, VSEARCH_TOKEN)',
  };
}

/** None without --cors; with it, answers vary by Origin and the --cors origin may read them. */
function corsHeaders(req: Request, { cors }: AccessRules): Record<string, string> {
  if (cors === undefined) return {};
  return req.headers.origin === cors ? { 'access-control-allow-origin': cors, vary: 'origin' } : { vary: 'origin' };
}

const PREFLIGHT = {
  'access-control-allow-methods': 'GET, HEAD, POST',
  'access-control-allow-headers': 'authorization, content-type, range',
  'access-control-max-age': '600',
};
