// Answers of the web interface: every one carries the same security headers; pages are never
// cached, framed or allowed to run script (the interface has none).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SafeHtml } from './html.ts';

/** The Content-Security-Policy of every answer: own styles only, no script at all, no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** Headers sent with every answer of the web interface. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Sends a page. */
export function sendHtml(response: ServerResponse, status: number, page: SafeHtml, headers: Readonly<Record<string, string | string[]>> = {}): void {
  const body = `<!doctype html>\n${page.text}`;
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(body);
}

/** Sends any other body (a stylesheet, a download, a plain-text refusal). */
export function sendBody(response: ServerResponse, status: number, body: string | Buffer, headers: Readonly<Record<string, string | string[]>>): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

/** Redirects with 303, so a POST is followed by a GET. `location` is always a local path. */
export function redirect(response: ServerResponse, location: string, headers: Readonly<Record<string, string | string[]>> = {}): void {
  response.writeHead(303, { ...SECURITY_HEADERS, location: localPath(location), 'content-length': 0, 'cache-control': 'no-store', ...headers });
  response.end();
}

/** A path on this site, or '/' for anything that could lead elsewhere (`//host`, `/\host`, a URL). */
export function localPath(candidate: string | undefined): string {
  if (!candidate || !candidate.startsWith('/') || candidate.startsWith('//') || candidate.includes('\\') || /[\u0000-\u001f]/.test(candidate)) return '/';
  return candidate;
}

/** Cookies of a request by name (the first value wins). */
export function cookiesOf(request: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(index + 1).trim());
  }
  return cookies;
}

/** Attributes of a cookie the interface sets. */
export interface CookieOptions {
  /** Adds `Secure` (served over TLS). */
  readonly secure: boolean;
  /** Lifetime in seconds; 0 deletes the cookie. Without it, a browser-session cookie. */
  readonly maxAgeSeconds?: number;
}

/** A Set-Cookie value: always HttpOnly, SameSite=Strict, Path=/; Secure under TLS. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  return parts.join('; ');
}

/** Whether a request's Origin (when the browser sends one) is this site; a foreign origin is refused. */
export function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
