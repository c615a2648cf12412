// Redfish sessions of one simulated BMC: login, logout, the live list, and the session-limit answers
// real BMCs give (iDRAC's RAC0218, the Base registry's SessionLimitExceeded elsewhere).
import { randomBytes } from 'node:crypto';
import { BASE_REGISTRY, errorBody } from './redfish-error.ts';

/** One live session. */
export interface Session {
  readonly id: string;
  readonly token: string;
  readonly userName: string;
  /** The session's path, also its `Location`. */
  readonly path: string;
}

/** The live sessions of a BMC, by token and by path. */
export class SessionStore {
  readonly #collection: string;
  readonly #byToken = new Map<string, Session>();
  readonly #byPath = new Map<string, Session>();
  #next = 1;

  constructor(collectionKey: string) {
    this.#collection = collectionKey;
  }

  /** Number of live sessions. */
  get size(): number {
    return this.#byPath.size;
  }

  /** Opens a session with a fresh random token. */
  create(userName: string): Session {
    const id = String(this.#next++);
    const session = { id, token: randomBytes(16).toString('hex'), userName, path: `${this.#collection}/${id}` };
    this.#byToken.set(session.token, session);
    this.#byPath.set(session.path, session);
    return session;
  }

  /** The live session holding this token. */
  byToken(token: string): Session | undefined {
    return this.#byToken.get(token);
  }

  /** The live session at this path. */
  byPath(path: string): Session | undefined {
    return this.#byPath.get(path);
  }

  /** Ends the session at this path; false when there is none. */
  delete(path: string): boolean {
    const session = this.#byPath.get(path);
    if (session === undefined) return false;
    this.#byPath.delete(path);
    this.#byToken.delete(session.token);
    return true;
  }

  /** The Sessions collection listing the live sessions, keeping the tree's own fields when it has the resource. */
  collection(stored: unknown): string {
    const base = typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? stored : {};
    const members = [...this.#byPath.keys()].map((path) => ({ '@odata.id': path }));
    return JSON.stringify({
      '@odata.type': '#SessionCollection.SessionCollection',
      Name: 'Session Collection',
      ...base,
      '@odata.id': this.#collection,
      Members: members,
      'Members@odata.count': members.length,
    });
  }
}

/** The Session resource of a live session (never its token). */
export function sessionBody(session: Session): string {
  return JSON.stringify({
    '@odata.id': session.path,
    '@odata.type': '#Session.v1_3_0.Session',
    Id: session.id,
    Name: `User Session ${session.id}`,
    UserName: session.userName,
  });
}

/** The answer to a login past the session limit: iDRAC's 400 RAC0218, or the Base registry's 503. */
export function sessionLimitAnswer(isDell: boolean): { readonly status: number; readonly text: string } {
  if (isDell) {
    return {
      status: 400,
      text: errorBody(`${BASE_REGISTRY}.GeneralError`, 'A general error has occurred. See ExtendedInfo for more information.', [
        {
          MessageId: 'IDRAC.2.8.RAC0218',
          Message: 'The maximum number of user sessions is reached.',
          Severity: 'Critical',
          Resolution: 'Close one or more sessions and retry the operation.',
        },
      ]),
    };
  }
  const message = 'The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.';
  return {
    status: 503,
    text: errorBody(`${BASE_REGISTRY}.SessionLimitExceeded`, message, [
      {
        MessageId: `${BASE_REGISTRY}.SessionLimitExceeded`,
        Message: message,
        Severity: 'Critical',
        Resolution:
          'Reduce the number of other sessions before trying to establish the session or increase the limit of simultaneous sessions (if supported).',
      },
    ]),
  };
}
