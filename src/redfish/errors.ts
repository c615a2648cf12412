// Every failed Redfish read ends as one RedfishError with a stable `kind`, so a sweep can report
// "licence" or "auth" per resource instead of a stack trace. Messages never carry credentials.

/** The error classes a read can end in. */
export type ErrorKind =
  | 'auth'
  | 'timeout'
  | 'unreachable'
  | 'not-found'
  | 'licence'
  | 'server'
  | 'bad-response'
  | 'refused-link'
  | 'tls';

/** Every error kind, in the order reports list them. */
export const ERROR_KINDS: readonly ErrorKind[] = [
  'auth',
  'timeout',
  'unreachable',
  'not-found',
  'licence',
  'server',
  'bad-response',
  'refused-link',
  'tls',
];

/** Context attached to a RedfishError. */
export interface RedfishErrorContext {
  readonly bmc?: string;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly messageId?: string;
  readonly cause?: unknown;
  /** True when the error happened before a connection existed (refused, connect timeout, TLS). */
  readonly connectPhase?: boolean;
}

/** A failed Redfish exchange: what went wrong (`kind`), where, and the BMC's own message id. */
export class RedfishError extends Error {
  override readonly name = 'RedfishError';
  readonly kind: ErrorKind;
  readonly bmc: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly status: number | undefined;
  readonly messageId: string | undefined;
  readonly connectPhase: boolean;

  constructor(kind: ErrorKind, message: string, context: RedfishErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.kind = kind;
    this.bmc = context.bmc;
    this.method = context.method;
    this.path = context.path;
    this.status = context.status;
    this.messageId = context.messageId;
    this.connectPhase = context.connectPhase ?? false;
  }

  /** The same error with another message (its echoed credentials cut out), the cause dropped. */
  withMessage(message: string): RedfishError {
    if (message === this.message) return this;
    const { kind, bmc, method, path, status, messageId, connectPhase } = this;
    return new RedfishError(kind, message, { ...(bmc ? { bmc } : {}), ...(method ? { method } : {}), ...(path ? { path } : {}), ...(status ? { status } : {}), ...(messageId ? { messageId } : {}), connectPhase });
  }

  /** A plain, loggable summary (no cause chain, no secrets). */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      message: this.message,
      bmc: this.bmc,
      method: this.method,
      path: this.path,
      status: this.status,
      messageId: this.messageId,
    };
  }
}

interface ExtendedInfo {
  readonly MessageId?: unknown;
  readonly Message?: unknown;
  readonly Severity?: unknown;
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { Critical: 3, Warning: 2, OK: 1 };

/** The most severe `@Message.ExtendedInfo` entry of a Redfish error body, if any. */
export function mostSevereMessage(body: unknown): { id?: string; message?: string } {
  const error = isObject(body) && isObject(body.error) ? body.error : undefined;
  const infos = error?.['@Message.ExtendedInfo'];
  let best: ExtendedInfo | undefined;
  if (Array.isArray(infos)) {
    for (const info of infos as unknown[]) {
      if (!isObject(info)) continue;
      const rank = SEVERITY_RANK[String((info as ExtendedInfo).Severity)] ?? 0;
      const bestRank = best ? (SEVERITY_RANK[String(best.Severity)] ?? 0) : -1;
      if (rank > bestRank) best = info as ExtendedInfo;
    }
  }
  const id = typeof best?.MessageId === 'string' ? best.MessageId : typeof error?.code === 'string' ? error.code : undefined;
  const message = typeof best?.Message === 'string' ? best.Message : typeof error?.message === 'string' ? error.message : undefined;
  return { ...(id === undefined ? {} : { id }), ...(message === undefined ? {} : { message }) };
}

// HPE iLO answers LicenseKeyRequired, Supermicro OemLicenseNotPassed: the data exists but is
// withheld, which is not the same as "no storage" and must never be read as empty.
const LICENCE_ID = /licen[cs]e/i;
// iDRAC RAC0218 and the DMTF Base registry's SessionLimitExceeded mean "too many sessions".
const SESSION_LIMIT_ID = /RAC0218|SessionLimitExceeded/i;

/** True when an error body says the BMC's session table is full. */
export function isSessionLimit(body: unknown): boolean {
  const { id, message } = mostSevereMessage(body);
  return SESSION_LIMIT_ID.test(id ?? '') || /maximum number of (user )?sessions/i.test(message ?? '');
}

/**
 * Maps a non-success HTTP answer to its error, as sushy's `raise_for_response` does. The BMC's own
 * message is quoted after `echo` (the client's redaction of what a BMC sends back) cleaned it.
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  context: Omit<RedfishErrorContext, 'status' | 'messageId'>,
  echo: (text: string) => string = (text) => text,
): RedfishError {
  const { id, message } = mostSevereMessage(body);
  const where = `${context.method ?? 'GET'} ${context.path ?? '?'}`;
  const detail = message ? `: ${truncate(echo(message), 200)}` : '';
  const ctx = { ...context, status, ...(id === undefined ? {} : { messageId: id }) };
  if (LICENCE_ID.test(id ?? '')) {
    return new RedfishError('licence', `${where} needs a licence the BMC lacks (${id})${detail}`, ctx);
  }
  if (status === 401 || status === 403) {
    return new RedfishError('auth', `${where} was refused with HTTP ${status}${detail}`, ctx);
  }
  if (status === 404 || status === 410) {
    return new RedfishError('not-found', `${where} does not exist (HTTP ${status})`, ctx);
  }
  if (status >= 500 || status === 429) {
    return new RedfishError('server', `${where} failed with HTTP ${status}${detail}`, ctx);
  }
  return new RedfishError('bad-response', `${where} answered HTTP ${status}${detail}`, ctx);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An exchange's error, naming the request: `METHOD path: text`. */
export function requestError(kind: ErrorKind, bmc: string, request: { readonly method: string; readonly path: string }, text: string, extra: { status?: number; cause?: unknown; connectPhase?: boolean } = {}): RedfishError {
  return new RedfishError(kind, `${request.method} ${request.path}: ${text}`, { bmc, method: request.method, path: request.path, ...extra });
}

/** Why a signal aborted, in words for an error message. */
export function abortReason(signal: AbortSignal): string {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  if (reason?.name === 'TimeoutError') return "the BMC's deadline passed";
  return typeof reason?.message === 'string' && reason.message ? reason.message : 'cancelled';
}

/** The system error code under an error (ECONNREFUSED, EHOSTUNREACH …), if any. */
export function errnoOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
