// Plain node:http/https requests for the simulator's tests, so they depend on no project client.
import { existsSync } from 'node:fs';
import { request as httpRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SHARED_MOCKUPS } from '../../helpers/mockup.ts';

/** The public mockups beside the checkout (../shared/redfish-mockups), or where REDFISH_MOCKUPS says. */
export const MOCKUPS = SHARED_MOCKUPS;

/** True when the public mockups are present. */
export const HAVE_MOCKUPS = existsSync(MOCKUPS);

/** The default simulator credentials as a Basic header. */
export const BASIC = `Basic ${Buffer.from('admin:redfish').toString('base64')}`;

/** A complete answer. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Options of `call`. */
export interface CallOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** CA file contents for HTTPS. */
  readonly ca?: string;
  /** A connection pool; by default each request opens its own connection. */
  readonly agent?: Agent;
}

/** Sends one request on a fresh connection and reads the whole answer. */
export function call(url: string, options: CallOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = open(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** GET with basic auth, parsed as JSON. */
export async function getJson(url: string, options: CallOptions = {}): Promise<{ status: number; json: any; headers: IncomingHttpHeaders }> {
  const answer = await call(url, { ...options, headers: { Authorization: BASIC, ...options.headers } });
  return { status: answer.status, headers: answer.headers, json: JSON.parse(answer.body) };
}

/** Starts a request and hands back the response as soon as its head arrives. */
export function open(url: string, options: CallOptions, onResponse: (res: IncomingMessage) => void): ReturnType<typeof httpRequest> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return request(target, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false, ...(options.ca === undefined ? {} : { ca: options.ca }) }, onResponse);
}

/** Resolves with the error a request ends in, or rejects if it succeeds. */
export function failure(url: string, options: CallOptions = {}): Promise<Error> {
  return call(url, options).then(
    (answer) => Promise.reject(new Error(`expected a failure, got ${answer.status}`)),
    (error: Error) => error,
  );
}
