// Redfish error bodies (DSP0266 §9.5.2.2) as the simulator sends them, with Base registry ids.

/** The Base message registry version the simulator's message ids name. */
export const BASE_REGISTRY = 'Base.1.8';

/** One `@Message.ExtendedInfo` entry. */
export interface RedfishMessage {
  readonly MessageId: string;
  readonly Message: string;
  readonly Severity?: string;
  readonly Resolution?: string;
}

/** Serialises a Redfish error body whose code and first message are `messageId`. */
export function redfishError(messageId: string, message: string, resolution = 'None.'): string {
  return errorBody(messageId, message, [{ MessageId: messageId, Message: message, Severity: 'Critical', Resolution: resolution }]);
}

/** Serialises a Redfish error body with the given code and extended messages. */
export function errorBody(code: string, message: string, info: readonly RedfishMessage[]): string {
  const extended = info.map((entry) => ({ '@odata.type': '#Message.v1_1_1.Message', MessageArgs: [], ...entry }));
  return JSON.stringify({ error: { code, message, '@Message.ExtendedInfo': extended } });
}

// Base registry messages: [id, message, resolution].
const MESSAGES = {
  unauthorized: [
    'NoValidSession',
    'There is no valid session established with the implementation.',
    'Establish a session before attempting any operations.',
  ],
  notFound: ['ResourceNotFound', 'The requested resource was not found.', 'None.'],
  unavailable: [
    'ServiceTemporarilyUnavailable',
    'The service is temporarily unavailable.',
    'Wait for the indicated retry duration and retry the operation.',
  ],
  internal: [
    'InternalError',
    'The request failed due to an internal service error.',
    'Resubmit the request. If the problem persists, consider resetting the service.',
  ],
  general: ['GeneralError', 'A general error has occurred. See Resolution for information on how to resolve the error.', 'None.'],
} as const;

/** The Base error the simulator sends for an HTTP status when nothing more specific is asked for. */
export function errorForStatus(status: number): string {
  const [id, message, resolution] =
    status === 401 ? MESSAGES.unauthorized
    : status === 404 ? MESSAGES.notFound
    : status === 429 || status === 503 ? MESSAGES.unavailable
    : status >= 500 ? MESSAGES.internal
    : MESSAGES.general;
  return redfishError(`${BASE_REGISTRY}.${id}`, message, resolution);
}

/** The 404 body for a path that names no resource. */
export function resourceMissing(path: string): string {
  const resolution = 'Place a valid resource at the URI or correct the URI and resubmit the request.';
  return redfishError(`${BASE_REGISTRY}.ResourceMissingAtURI`, `The resource at the URI '${path}' was not found.`, resolution);
}
