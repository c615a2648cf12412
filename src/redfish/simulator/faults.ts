// Fault rules: what a misbehaving BMC does instead of answering properly. A rule picks requests by
// path and method, may apply only a number of times or with a probability, and names one action.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mockupKey } from '../mockup.ts';
import { invalid, isInteger, isRecord } from './check.ts';
import { errorForStatus } from './redfish-error.ts';

/** What a faulty BMC does with a request. */
export type FaultAction =
  /** Answers this status, e.g. 503 with `Retry-After`; the body defaults to a Redfish error. */
  | { readonly type: 'status'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: unknown }
  /** Accepts the request and never answers (released by `close()`). */
  | { readonly type: 'hang' }
  /** Destroys the connection without answering. */
  | { readonly type: 'reset' }
  /** Sends 200 with the real Content-Length and half the body, then destroys the connection. */
  | { readonly type: 'reset-mid-body' }
  /** Sends the body (or `bytes` of it, space-padded) at `bytesPerSecond`. */
  | { readonly type: 'drip'; readonly bytesPerSecond: number; readonly bytes?: number }
  /** 200 with the real body missing a comma. */
  | { readonly type: 'invalid-json' }
  /** 200 with the real body cut in half; Content-Length matches the cut body. */
  | { readonly type: 'truncated-json' }
  /** 200 `text/html`: a login page, as a BMC's web UI answers. */
  | { readonly type: 'html' }
  /** 200 with a JSON-looking body of `bytes` bytes, streamed, never held in memory. */
  | { readonly type: 'huge'; readonly bytes: number }
  /** 200 with objects nested `depth` deep: `{"a":{"a":…{}}}`. */
  | { readonly type: 'deep'; readonly depth: number }
  /** Redirects to `location`. @default status 302 */
  | { readonly type: 'redirect'; readonly location: string; readonly status?: number }
  /** The real body with every `@odata.id` made absolute on `origin`. */
  | { readonly type: 'foreign-links'; readonly origin: string }
  /** 200 with exactly this body. @default contentType 'application/json; charset=utf-8' */
  | { readonly type: 'body'; readonly body: string; readonly contentType?: string };

/** A fault rule: which requests it applies to, how often, and the action. */
export interface FaultRule {
  /** Exact mockupKey match (string) or a pattern tested on the key. @default any path but the service root and session login */
  readonly path?: string | RegExp;
  /** Case-insensitive method. @default any */
  readonly method?: string;
  /** How many matching requests it applies to before it is spent. @default unlimited */
  readonly times?: number;
  /** Chance that a matching request gets the fault, from the BMC's seeded PRNG. @default 1 */
  readonly probability?: number;
  /** Apply only to requests that passed authentication. @default false */
  readonly afterAuth?: boolean;
  readonly action: FaultAction;
}

/** The request a rule is matched against. */
export interface FaultRequest {
  readonly key: string;
  readonly method: string;
  readonly afterAuth: boolean;
  /** The service root or the session login: untouched by rules without a path. */
  readonly exempt: boolean;
}

/** What a fault action needs to answer. */
export interface FaultContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly key: string;
  /** The body the resource would have had. */
  readonly body: () => string;
  /** Counts body bytes sent. */
  readonly sent: (bytes: number) => void;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const ACTIONS = new Set([
  'status', 'hang', 'reset', 'reset-mid-body', 'drip', 'invalid-json', 'truncated-json', 'html', 'huge', 'deep', 'redirect', 'foreign-links', 'body',
]);
const LOGIN_PAGE = '<!DOCTYPE html>\n<html><head><title>BMC Login</title></head><body><form method="post" action="/login">'
  + '<input name="username"><input name="password" type="password"><button type="submit">Log in</button></form></body></html>\n';
const PADDING = Buffer.alloc(64 * 1024, 'x');

/** Throws TypeError naming the first bad rule of `rules`. */
export function checkFaultRules(rules: unknown, option: string): asserts rules is readonly FaultRule[] {
  if (!Array.isArray(rules)) throw invalid(option, 'an array of fault rules', rules);
  rules.forEach((rule: unknown, i) => {
    const name = `${option}[${i}]`;
    if (!isRecord(rule)) throw invalid(name, 'a fault rule object', rule);
    const { path, method, times, probability, afterAuth } = rule;
    if (path !== undefined && typeof path !== 'string' && !(path instanceof RegExp)) throw invalid(`${name}.path`, 'a string or RegExp', path);
    if (method !== undefined && !nonEmpty(method)) throw invalid(`${name}.method`, 'an HTTP method', method);
    if (times !== undefined && !isInteger(times, 0)) throw invalid(`${name}.times`, 'an integer from 0 and up', times);
    if (probability !== undefined && !(typeof probability === 'number' && probability >= 0 && probability <= 1)) {
      throw invalid(`${name}.probability`, 'a number from 0 to 1', probability);
    }
    if (afterAuth !== undefined && typeof afterAuth !== 'boolean') throw invalid(`${name}.afterAuth`, 'a boolean', afterAuth);
    checkAction(rule.action, `${name}.action`);
  });
}

function checkAction(action: unknown, name: string): void {
  if (!isRecord(action) || !ACTIONS.has(action.type as string)) {
    throw invalid(`${name}.type`, `one of ${[...ACTIONS].join(', ')}`, isRecord(action) ? action.type : action);
  }
  const { type, status, bytes } = action;
  const bad = (field: string, expected: string): TypeError => invalid(`${name}.${field}`, expected, action[field]);
  if (type === 'status' && !isInteger(status, 100, 599)) throw bad('status', 'an integer from 100 to 599');
  if (type === 'drip' && !(typeof action.bytesPerSecond === 'number' && action.bytesPerSecond > 0)) throw bad('bytesPerSecond', 'a number above 0');
  if (type === 'drip' && bytes !== undefined && !isInteger(bytes, 1)) throw bad('bytes', 'an integer from 1 and up');
  if (type === 'huge' && !isInteger(bytes, 1)) throw bad('bytes', 'an integer from 1 and up');
  if (type === 'deep' && !isInteger(action.depth, 1, 10_000_000)) throw bad('depth', 'an integer from 1 to 10000000');
  if (type === 'redirect' && !nonEmpty(action.location)) throw bad('location', 'a non-empty string');
  if (type === 'redirect' && status !== undefined && !isInteger(status, 300, 399)) throw bad('status', 'an integer from 300 to 399');
  if (type === 'foreign-links' && !nonEmpty(action.origin)) throw bad('origin', 'an origin like https://evil.example');
  if (type === 'body' && typeof action.body !== 'string') throw bad('body', 'a string');
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** The live rules of one BMC, with what is left of each rule's `times`. */
export class FaultSet {
  readonly #rules: readonly FaultRule[];
  readonly #remaining: number[];
  readonly #random: () => number;

  constructor(rules: readonly FaultRule[], random: () => number) {
    checkFaultRules(rules, 'faults');
    this.#rules = [...rules];
    this.#remaining = rules.map((rule) => rule.times ?? Number.POSITIVE_INFINITY);
    this.#random = random;
  }

  /** The rules as given. */
  get rules(): readonly FaultRule[] {
    return this.#rules;
  }

  /** The action of the first rule that applies to the request, spending one of its `times`. */
  take(request: FaultRequest): FaultAction | undefined {
    for (const [i, rule] of this.#rules.entries()) {
      if ((this.#remaining[i] ?? 0) <= 0 || (rule.afterAuth ?? false) !== request.afterAuth) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== request.method.toUpperCase()) continue;
      if (!pathMatches(rule.path, request)) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      this.#remaining[i] = (this.#remaining[i] ?? 0) - 1;
      return rule.action;
    }
    return undefined;
  }
}

function pathMatches(path: string | RegExp | undefined, request: FaultRequest): boolean {
  if (path === undefined) return !request.exempt;
  if (typeof path === 'string') return mockupKey(path) === request.key;
  path.lastIndex = 0;
  return path.test(request.key);
}

/** Answers a request with a fault action. */
export function runFault(action: FaultAction, context: FaultContext): void {
  const { req, res } = context;
  switch (action.type) {
    case 'status': {
      const { body } = action;
      const text = body === undefined ? errorForStatus(action.status) : typeof body === 'string' ? body : JSON.stringify(body);
      send(context, action.status, text, JSON_TYPE, action.headers);
      return;
    }
    case 'hang':
      // The request holds its worker slot until the client gives up or the BMC closes.
      return;
    case 'reset':
      req.socket.destroy();
      return;
    case 'reset-mid-body': {
      const body = Buffer.from(context.body());
      res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': body.length });
      const half = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
      context.sent(half.length);
      res.write(half, () => req.socket.destroy());
      return;
    }
    case 'drip':
      drip(context, action.bytesPerSecond, action.bytes);
      return;
    case 'invalid-json':
      send(context, 200, breakJson(context.body()), JSON_TYPE);
      return;
    case 'truncated-json': {
      const body = context.body();
      send(context, 200, body.slice(0, Math.max(1, Math.floor(body.length / 2))), JSON_TYPE);
      return;
    }
    case 'html':
      send(context, 200, LOGIN_PAGE, 'text/html; charset=utf-8');
      return;
    case 'huge':
      streamHuge(context, action.bytes).catch(() => res.destroy());
      return;
    case 'deep':
      send(context, 200, `${'{"a":'.repeat(action.depth - 1)}{}${'}'.repeat(action.depth - 1)}`, JSON_TYPE);
      return;
    case 'redirect':
      res.writeHead(action.status ?? 302, { Location: action.location, 'Content-Length': 0 });
      res.end();
      return;
    case 'foreign-links': {
      const origin = action.origin.replace(/\/+$/, '');
      const body = context.body().replace(/"@odata\.id":"(\/[^"]*)"/g, (_, link: string) => `"@odata.id":${JSON.stringify(origin + link)}`);
      send(context, 200, body, JSON_TYPE);
      return;
    }
    case 'body':
      send(context, 200, action.body, action.contentType ?? JSON_TYPE);
      return;
  }
}

/** Makes a JSON text invalid the way iDRAC8's `$expand` answers were: one comma missing. */
export function breakJson(text: string): string {
  const between = text.indexOf('},{');
  if (between >= 0) return text.slice(0, between + 1) + text.slice(between + 2);
  const comma = text.indexOf(',"');
  return comma >= 0 ? text.slice(0, comma) + text.slice(comma + 1) : `${text}}`;
}

function send(context: FaultContext, status: number, text: string, contentType: string, headers?: Readonly<Record<string, string>>): void {
  const length = Buffer.byteLength(text);
  context.res.writeHead(status, { 'Content-Type': contentType, 'OData-Version': '4.0', 'Content-Length': length, ...headers });
  context.res.end(text);
  context.sent(length);
}

function drip(context: FaultContext, bytesPerSecond: number, bytes: number | undefined): void {
  const { res } = context;
  const real = Buffer.from(context.body());
  const body = bytes === undefined ? real : Buffer.concat([real, Buffer.alloc(Math.max(0, bytes - real.length), ' ')]).subarray(0, bytes);
  const chunk = Math.max(1, Math.round(bytesPerSecond / 10));
  res.writeHead(200, { 'Content-Type': JSON_TYPE, 'OData-Version': '4.0', 'Content-Length': body.length });
  res.flushHeaders();
  let offset = 0;
  const timer = setInterval(() => {
    const piece = body.subarray(offset, offset + chunk);
    offset += piece.length;
    context.sent(piece.length);
    if (offset >= body.length) {
      clearInterval(timer);
      res.end(piece);
    } else {
      res.write(piece);
    }
  }, (chunk / bytesPerSecond) * 1000);
  res.once('close', () => clearInterval(timer));
}

async function streamHuge(context: FaultContext, bytes: number): Promise<void> {
  const { res } = context;
  res.writeHead(200, { 'Content-Type': JSON_TYPE, 'OData-Version': '4.0', 'Content-Length': bytes });
  for (const chunk of hugeBody(context.key, bytes)) {
    if (res.destroyed) return;
    context.sent(chunk.length);
    if (!res.write(chunk)) await drained(res);
  }
  res.end();
}

// `{"@odata.id":"<path>","Padding":"xxxx…"}`, exactly `bytes` long, from one reused 64 KiB buffer.
function* hugeBody(key: string, bytes: number): Generator<Buffer> {
  const head = Buffer.from(`{"@odata.id":${JSON.stringify(key)},"Padding":"`);
  const tail = Buffer.from('"}');
  if (bytes <= head.length + tail.length) {
    yield Buffer.concat([head, tail]).subarray(0, bytes);
    return;
  }
  yield head;
  for (let left = bytes - head.length - tail.length; left > 0; left -= PADDING.length) {
    yield left >= PADDING.length ? PADDING : PADDING.subarray(0, left);
  }
  yield tail;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
