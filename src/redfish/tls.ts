// Connections to one BMC come from one connector that owns TCP connect, the TLS handshake, the
// certificate policy and the connect timeout. The socket is handed to the HTTP layer only after the
// policy accepted the peer, so no request byte (and no credential) reaches an unverified server.
import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { RedfishError } from './errors.ts';

/** How a BMC's certificate is trusted. */
export type TlsPolicy =
  /** Verify against the system's CAs (the default). */
  | { readonly mode: 'verify' }
  /** Verify against this CA bundle (PEM) only. */
  | { readonly mode: 'ca'; readonly ca: string }
  /**
   * Trust exactly the certificate with this SHA-256 fingerprint; without one, trust the first
   * certificate seen and report it so it can be stored (trust on first use).
   */
  | { readonly mode: 'pin'; readonly fingerprint256?: string }
  /** No verification at all; only when the operator asks for it. */
  | { readonly mode: 'insecure' };

/** Settings of one BMC's connector. */
export interface ConnectorOptions {
  readonly secure: boolean;
  readonly policy: TlsPolicy;
  readonly connectTimeoutMs: number;
  /** Called with the peer certificate's fingerprint after every accepted handshake. */
  readonly onCertificate?: (fingerprint256: string) => void;
  /** Aborts connects in progress (the BMC's deadline). */
  readonly signal?: AbortSignal;
}

/** Canonical form of a SHA-256 fingerprint: uppercase hex pairs joined by colons. */
export function normaliseFingerprint(value: string): string {
  const hex = value.replace(/^sha256[:/=]?/i, '').replace(/[^0-9a-f]/gi, '').toUpperCase();
  if (hex.length !== 64) {
    throw new TypeError(`Expected a SHA-256 fingerprint (64 hex digits), got \`${value}\``);
  }
  return hex.match(/../g)!.join(':');
}

/** The SHA-256 fingerprint of a PEM certificate, in canonical form. */
export function fingerprintOfPem(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

const CONNECT = { connectPhase: true } as const;

type Callback = (error: Error | null, socket?: net.Socket) => void;

/**
 * Opens one connection to the BMC, ready for requests; failures are RedfishErrors (connect phase).
 * What the BMC sends goes to `onData`, not to 'data' events; the bytes are valid only during the
 * call (the buffer is reused), so a receiver copies what it keeps.
 */
export type Connector = (host: string, port: number, onData: (bytes: Buffer) => void) => Promise<net.Socket>;

// Every connection reads into this one buffer (net's `onread`) instead of a new Buffer per read
// pushed through a Readable stream: that stream machinery cost ~15 µs per answer, a sweep makes ~50
// per BMC, and nothing here wants a stream. Safe to share: each read is handed over before the next.
const READ_BUFFER = Buffer.allocUnsafe(65_536);

/** Creates the connector for one BMC (plain TCP when `secure` is false). */
export function createConnector(options: ConnectorOptions): Connector {
  return (host, port, onData) =>
    new Promise((resolve, reject) => {
      const callback: Callback = (error, socket) => (error ? reject(error) : resolve(socket!));
      const received = (size: number) => {
        onData(READ_BUFFER.subarray(0, size));
        return true;
      };
      const onread = { buffer: READ_BUFFER, callback: received };
      const connectOptions = { host, port, noDelay: true, onread };
      if (options.secure) connectTls(connectOptions, options, callback);
      else connectPlain(connectOptions, options, callback);
    });
}

function connectPlain(connectOptions: net.NetConnectOpts, options: ConnectorOptions, callback: Callback): undefined {
  const socket = net.connect(connectOptions);
  guard(socket, options, 'connect', String((connectOptions as { host?: string }).host ?? 'localhost'), callback, (settle) => socket.once('connect', () => settle(null, socket)));
  return undefined;
}

function connectTls(
  connectOptions: tls.ConnectionOptions,
  options: ConnectorOptions,
  callback: Callback,
): undefined {
  const policy = options.policy;
  const host = connectOptions.host ?? 'localhost';
  const socket = tls.connect({
    ...connectOptions,
    servername: net.isIP(host) ? undefined : host,
    // Pinning and insecure mode decide trust themselves; Node verifies in the other modes.
    rejectUnauthorized: policy.mode === 'verify' || policy.mode === 'ca',
    ...(policy.mode === 'ca' ? { ca: policy.ca } : {}),
  } as tls.ConnectionOptions);
  guard(socket, options, 'TLS handshake', host, callback, (settle) =>
    socket.once('secureConnect', () => {
      const seen = socket.getPeerCertificate()?.fingerprint256;
      if (!seen) return settle(tlsError('the BMC presented no certificate', host));
      if (policy.mode === 'pin' && policy.fingerprint256 !== undefined) {
        const expected = normaliseFingerprint(policy.fingerprint256);
        if (seen !== expected) {
          return settle(
            tlsError(
              `certificate changed since it was pinned: pinned ${expected}, presented ${seen}. ` +
                'If the BMC was re-keyed on purpose, update the pin.',
              host,
            ),
          );
        }
      }
      options.onCertificate?.(seen);
      settle(null, socket);
    }),
  );
  return undefined;
}

// Connect timeout, deadline and socket errors before the socket is handed over; `ready` gets the
// one callback that may still settle the connection.
function guard(
  socket: net.Socket,
  options: ConnectorOptions,
  phase: string,
  host: string,
  callback: Callback,
  ready: (settle: Callback) => void,
): void {
  let settled = false;
  const settle: Callback = (error, value) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (error) socket.destroy();
    callback(error, value);
  };
  const timer = setTimeout(
    () => settle(new RedfishError('timeout', `${phase} did not complete within ${options.connectTimeoutMs} ms`, CONNECT)),
    options.connectTimeoutMs,
  );
  const onAbort = () => settle(new RedfishError('timeout', `${phase} abandoned: the BMC's deadline passed`, CONNECT));
  socket.once('error', (error) => settle(connectError(error, host, options.policy.mode)));
  if (options.signal?.aborted) return onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  ready(settle);
}

function tlsError(message: string, host: string): RedfishError {
  return new RedfishError('tls', `TLS with ${host}: ${message}`, CONNECT);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

// OpenSSL's verification codes, as Node reports them, in an operator's words.
const UNTRUSTED_CA = 'its certificate is signed by a CA this host does not trust';
const VERIFY_FAILURES: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed CA this host does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED_CA,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED_CA,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED_CA,
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is not for this address',
};

/** What an operator does about a certificate that does not verify, in this tool's settings. */
export const TLS_ADVICE =
  "to trust it, set this BMC's tls to {mode: ca, caFile: FILE} with the CA that signed it, or to pin (trust the certificate it presents from now on)";

/** What a BMC already verifying against a CA file is told: that file did not sign the certificate. */
export const CA_FILE_ADVICE = "this BMC's tls caFile holds no CA that signed it: put the CA that did in that file, or pin it (tls: {mode: pin}) to trust the certificate it presents";

/** A certificate Node refused, as an error that says why and which setting trusts it (given the BMC's `mode`, when known). */
export function verificationError(error: NodeJS.ErrnoException & { reason?: string }, host: string, mode?: TlsPolicy['mode']): RedfishError | undefined {
  const why = error.code ? VERIFY_FAILURES[error.code] : undefined;
  if (!why) return undefined;
  const detail = error.code === 'ERR_TLS_CERT_ALTNAME_INVALID' && error.reason ? ` (${error.reason})` : '';
  return new RedfishError('tls', `TLS with ${host}: ${why}${detail}; ${mode === 'ca' ? CA_FILE_ADVICE : TLS_ADVICE}`, { cause: error, connectPhase: true });
}

function connectError(error: NodeJS.ErrnoException, host: string, mode: TlsPolicy['mode']): RedfishError {
  if (error.code && UNREACHABLE.has(error.code)) {
    return new RedfishError('unreachable', `cannot connect: ${error.code}`, { cause: error, connectPhase: true });
  }
  const refused = verificationError(error, host, mode);
  if (refused) return refused;
  if (error.code?.startsWith('ERR_TLS') || error.code?.startsWith('ERR_SSL') || /certificate|self.signed|SSL|TLS/i.test(error.message)) {
    // Node's own advice (run Node with --use-system-ca …) is about Node, not this tool: left out.
    return new RedfishError('tls', `TLS handshake with ${host} failed: ${error.message.replace(/; if the root CA is installed locally.*$/s, '')}`, { cause: error, connectPhase: true });
  }
  return new RedfishError('unreachable', `connection failed: ${error.code ?? error.message}`, { cause: error, connectPhase: true });
}
