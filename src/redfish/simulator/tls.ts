// Certificates for simulated BMCs: self-signed, EC P-256 (fast to make), valid for the listed IPs
// and DNS names, and usable by a client as its own CA file. Like a BMC's factory certificate, but
// one a test can trust or pin.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { invalid, isInteger } from './check.ts';
import type { TlsCredentials } from './options.ts';

/** A PEM key and certificate, with the certificate's SHA-256 fingerprint as Node prints it. */
export interface Certificate {
  readonly key: string;
  readonly cert: string;
  /** Uppercase colon-separated SHA-256 of the DER, like `X509Certificate.fingerprint256`. */
  readonly fingerprint256: string;
}

/** Options of `generateCertificate`. */
export interface CertificateOptions {
  /** IP addresses and DNS names the certificate is valid for; the first is its common name. @default ['127.0.0.1', '::1', 'localhost'] */
  readonly hosts?: readonly string[];
  /** Days of validity from now. @default 825 */
  readonly days?: number;
}

/** Defaults of `generateCertificate`. */
export const DEFAULT_CERTIFICATE_OPTIONS = { hosts: ['127.0.0.1', '::1', 'localhost'], days: 825 } as const;

const DAY_MS = 86_400_000;
const contexts = new WeakMap<TlsCredentials, { readonly context: SecureContext; readonly fingerprint256: string }>();

/** Generates a self-signed EC P-256 certificate whose subject alternative names are `hosts`. */
export async function generateCertificate(options: CertificateOptions = {}): Promise<Certificate> {
  const hosts = [...new Set(options.hosts ?? DEFAULT_CERTIFICATE_OPTIONS.hosts)];
  const days = options.days ?? DEFAULT_CERTIFICATE_OPTIONS.days;
  if (hosts.length === 0 || hosts.some((host) => typeof host !== 'string' || host === '')) {
    throw invalid('hosts', 'a non-empty array of IP addresses and DNS names', options.hosts);
  }
  if (!isInteger(days, 1, 36_500)) throw invalid('days', 'an integer from 1 to 36500', days);
  const now = Date.now();
  // Loaded here, not at start: selfsigned and the X.509 library under it cost ~0.1 s of CPU to
  // load, which every command paid although only the simulator makes certificates.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: hosts[0] }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    // Back-dated a day so a client with a slightly slow clock still accepts it.
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + days * DAY_MS),
    extensions: [
      // A CA flag and keyCertSign let clients load the certificate as their CA file.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hosts.map((host) => (isIP(host) ? { type: 7 as const, ip: host } : { type: 2 as const, value: host })) },
    ],
  });
  return { key: pems.private, cert: pems.cert, fingerprint256: new X509Certificate(pems.cert).fingerprint256 };
}

/** The names a generated certificate should cover for a BMC listening on `host`. */
export function certificateHosts(host: string): string[] {
  const unspecified = host === '0.0.0.0' || host === '::';
  return [...new Set([...(unspecified ? [] : [host]), '127.0.0.1', '::1', 'localhost'])];
}

/** One TLS context per credentials object, so a fleet sharing a certificate parses it once. */
export function sharedSecureContext(tls: TlsCredentials): { readonly context: SecureContext; readonly fingerprint256: string } {
  let shared = contexts.get(tls);
  if (shared === undefined) {
    shared = { context: createSecureContext({ key: tls.key, cert: tls.cert }), fingerprint256: new X509Certificate(tls.cert).fingerprint256 };
    contexts.set(tls, shared);
  }
  return shared;
}
