// Every failed MAAS exchange ends as one MaasError: a stable `kind`, the HTTP status, the form field
// a 400 names, and MAAS's own words. Messages never carry the API key, a token secret or a BMC
// password: secrets are cut out of anything MAAS sends back before it is quoted.
import { redactEcho } from '../redfish/redact.ts';
import { TargetError } from '../sweep/target.ts';

/** The classes of failure a MAAS request can end in. */
export type MaasErrorKind =
  | 'bad-request'
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'server'
  | 'unexpected-status'
  | 'unreachable'
  | 'timeout'
  | 'connection'
  | 'bad-response'
  | 'aborted'
  | 'no-credentials'
  | 'no-token';

/** Context attached to a MaasError. */
export interface MaasErrorContext {
  readonly status?: number;
  readonly field?: string;
  readonly method?: string;
  readonly path?: string;
  /** MAAS's own message (already redacted). */
  readonly maasMessage?: string;
  /** True when a request that is not safe to repeat failed after it was sent: MAAS may have applied it. */
  readonly maybeApplied?: boolean;
  /** Attempts made, retries included. */
  readonly attempts?: number;
  readonly cause?: unknown;
}

/** A MAAS request failed or MAAS refused it; `status`, `field`, `method` and `path` say where and why. */
export class MaasError extends TargetError {
  override readonly name: string = 'MaasError';
  readonly kind: MaasErrorKind;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly maasMessage: string | undefined;
  readonly maybeApplied: boolean;
  readonly attempts: number | undefined;

  constructor(kind: MaasErrorKind, message: string, context: MaasErrorContext = {}) {
    super(message, {
      ...(context.status === undefined ? {} : { status: context.status }),
      ...(context.field === undefined ? {} : { field: context.field }),
      ...(context.cause === undefined ? {} : { cause: context.cause }),
    });
    this.kind = kind;
    this.method = context.method;
    this.path = context.path;
    this.maasMessage = context.maasMessage;
    this.maybeApplied = context.maybeApplied ?? false;
    this.attempts = context.attempts;
  }

  /** A plain, loggable summary (no cause chain, no secrets). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      field: this.field,
      method: this.method,
      path: this.path,
      maasMessage: this.maasMessage,
      maybeApplied: this.maybeApplied,
      attempts: this.attempts,
    };
  }
}

/** The same error with `prefix` before its message (e.g. which machine it was for). */
export function withPrefix(error: MaasError, prefix: string): MaasError {
  return new MaasError(error.kind, `${prefix}${error.message}`, {
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.field === undefined ? {} : { field: error.field }),
    ...(error.method === undefined ? {} : { method: error.method }),
    ...(error.path === undefined ? {} : { path: error.path }),
    ...(error.maasMessage === undefined ? {} : { maasMessage: error.maasMessage }),
    ...(error.attempts === undefined ? {} : { attempts: error.attempts }),
    maybeApplied: error.maybeApplied,
    cause: error,
  });
}

/** What the client knows about a request when MAAS refuses it. */
export interface RefusedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
  /** Values to cut out of anything quoted: token secrets, BMC passwords. */
  readonly secrets: readonly string[];
  readonly attempts: number;
  readonly location?: string;
}

const MAX_QUOTE = 500;

/** A path to one machine or node (`…/machines/<id>/…`). */
const ONE_MACHINE = /(?:machines|nodes)\/[^/?]+\//;

// MAAS 3.4 refuses a change to a locked machine with an empty 403, as it refuses a user who may
// not change the machine: with no reason given, both are named.
function unexplained403(path: string): string {
  return ONE_MACHINE.test(path) ? ' with no reason given: the machine may be locked, or these credentials may not change it' : '';
}

/** Maps MAAS's non-success answer to its MaasError, quoting MAAS's message (redacted). */
export function errorFromResponse(refused: RefusedRequest): MaasError {
  const { method, path, status } = refused;
  const where = `${method} ${path}`;
  const { field, text } = readMaasMessage(refused.contentType, redact(withholdEchoedSecrets(refused.body), refused.secrets));
  const quoted = text ? `: ${truncate(text, MAX_QUOTE)}` : '';
  const context = {
    status,
    method,
    path,
    attempts: refused.attempts,
    ...(field === undefined ? {} : { field }),
    ...(text ? { maasMessage: truncate(text, MAX_QUOTE) } : {}),
  };
  switch (status) {
    case 400:
      return new MaasError('bad-request', `MAAS rejected ${where} (HTTP 400)${field ? `, field \`${field}\`` : ''}${quoted}`, context);
    case 401:
      return new MaasError(
        'auth',
        `MAAS did not accept the credentials for ${where} (HTTP 401)${quoted}; check the API key or machine token, and this host's clock`,
        context,
      );
    case 403:
      return new MaasError('forbidden', `MAAS does not allow ${where} for these credentials (HTTP 403)${quoted || unexplained403(path)}`, context);
    case 404:
      return new MaasError('not-found', `MAAS has nothing at ${where} (HTTP 404)${quoted}`, context);
    case 409:
      return new MaasError('conflict', `MAAS refused ${where} in the machine's current state (HTTP 409)${quoted}`, context);
    default:
      break;
  }
  if (status >= 500) {
    const tries = refused.attempts > 1 ? ` after ${refused.attempts} attempts` : '';
    return new MaasError('server', `MAAS failed ${where} with HTTP ${status}${tries}${quoted}`, context);
  }
  if (status >= 300 && status < 400) {
    const to = refused.location ? ` to ${stripUserinfo(refused.location)}` : '';
    return new MaasError(
      'unexpected-status',
      `MAAS redirected ${where} (HTTP ${status})${to}; configure the MAAS URL it redirects to`,
      context,
    );
  }
  return new MaasError('unexpected-status', `MAAS answered ${where} with HTTP ${status}${quoted}`, context);
}

/**
 * MAAS's message from an error body. Form errors are JSON (`{"mac_addresses": ["MAC address … already
 * in use on host-1."]}`, Django's `form.errors`); everything else is plain text.
 */
export function readMaasMessage(contentType: string | undefined, body: string): { field?: string; text: string } {
  const trimmed = body.trim();
  const looksJson = (contentType ?? '').includes('json') || trimmed.startsWith('{');
  if (looksJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const entries = Object.entries(parsed as Record<string, unknown>);
      const parts = entries.map(([key, value]) => {
        const messages = Array.isArray(value) ? value.map(String).join(' ') : String(value);
        // Django puts errors that belong to no single field under `__all__`.
        return key === '__all__' ? messages : `${key}: ${messages}`;
      });
      const named = entries.map(([key]) => key).filter((key) => key !== '__all__');
      return { ...(named[0] === undefined ? {} : { field: named[0] }), text: parts.join('; ') };
    }
    if (typeof parsed === 'string') return { text: parsed };
  }
  return { text: trimmed.replace(/\s+/g, ' ') };
}

// MAAS's OAuth check (django-piston3) answers a bad signature with the signature it expected,
// `Expected signature base string: &<secret>`: for PLAINTEXT that is the real secret of the token
// the request named, which the caller evidently does not hold, so no list of known secrets covers it.
const EXPECTED_SIGNATURE = /(signature base string:)[^]*?(?=['"]?\s*$)/gim;

/** MAAS's answer without what it echoes of secrets the caller did not send (the expected OAuth signature). */
export function withholdEchoedSecrets(text: string): string {
  return text.replace(EXPECTED_SIGNATURE, '$1 [withheld]');
}

/** What MAAS echoed back, with the secrets sent to it cut out where they could stand (src/redfish/redact.ts). */
export function redact(text: string, secrets: readonly string[]): string {
  return redactEcho(text, secrets);
}

/** A URL without `user:password@`. */
export function stripUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
