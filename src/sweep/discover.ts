// Discovery: probe `/redfish/v1/` on every address of some ranges, with bounded concurrency and
// short timeouts, and report what answers. The service root is readable without credentials, so
// none are sent; the certificate's fingerprint is recorded so a list file can pin it.
import PQueue from 'p-queue';
import { detectVendor } from '../inventory/vendor.ts';
import { at } from '../redfish/navigate.ts';
import { originOf } from '../redfish/links.ts';
import { createConnector } from '../redfish/tls.ts';
import { closeTransport, createTransport, exchange } from '../redfish/transport.ts';
import { stringify } from 'yaml';
import { expandRange } from './addresses.ts';

/** A BMC that answered. */
export interface DiscoveredBmc {
  readonly address: string;
  readonly vendor: string;
  readonly product?: string;
  readonly redfishVersion?: string;
  readonly uuid?: string;
  /** SHA-256 fingerprint of its certificate (HTTPS). */
  readonly fingerprint256?: string;
}

/** How to probe. */
export interface DiscoverOptions {
  /** Addresses probed at once. @default 64 */
  readonly concurrency?: number;
  /** Connect plus answer, per address. @default 2000 */
  readonly timeoutMs?: number;
  /** Port to probe (443 for HTTPS by default). */
  readonly port?: number;
  /** Probe over plain HTTP (simulators, labs). @default false */
  readonly http?: boolean;
  readonly signal?: AbortSignal;
  /** Called after each address, answered or not. */
  readonly onProbe?: (done: number, total: number) => void;
}

/** Probes every address of the ranges; resolves to those that answered like a Redfish service. */
export async function discover(ranges: readonly string[], options: DiscoverOptions = {}): Promise<DiscoveredBmc[]> {
  const addresses = ranges.flatMap((range) => expandRange(range));
  const queue = new PQueue({ concurrency: options.concurrency ?? 64 });
  const found: DiscoveredBmc[] = [];
  let done = 0;
  await Promise.all(
    addresses.map((host) =>
      queue.add(async () => {
        const result = await probe(host, options).catch(() => undefined);
        if (result) found.push(result);
        options.onProbe?.(++done, addresses.length);
      }),
    ),
  );
  const order = new Map(addresses.map((address, index) => [address, index]));
  return found.sort((a, b) => (order.get(hostOf(a.address)) ?? 0) - (order.get(hostOf(b.address)) ?? 0));
}

/** Probes one address; undefined when nothing Redfish-like answers. */
export async function probe(host: string, options: DiscoverOptions = {}): Promise<DiscoveredBmc | undefined> {
  const scheme = options.http ? 'http' : 'https';
  const address = options.port ? `${scheme}://${host}:${options.port}` : `${scheme}://${host}`;
  const origin = originOf(address);
  const timeoutMs = options.timeoutMs ?? 2_000;
  let fingerprint256: string | undefined;
  // Nothing secret is sent, so any certificate is accepted here; its fingerprint is what a list
  // file pins, so the first sweep talks to the same BMC that was discovered.
  const transport = createTransport(origin, createConnector({
    secure: !options.http,
    policy: { mode: 'insecure' },
    connectTimeoutMs: timeoutMs,
    onCertificate: (fingerprint) => {
      fingerprint256 = fingerprint;
    },
  }));
  try {
    const answer = await exchange(transport, origin, {
      method: 'GET',
      path: '/redfish/v1/',
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])]),
      timeoutMs,
      maxBodyBytes: 1_048_576,
      maxJsonDepth: 64,
    });
    const root = answer.body;
    if (answer.status !== 200 || typeof at(root, ['RedfishVersion']) !== 'string') return undefined;
    const product = at(root, ['Product']);
    const uuid = at(root, ['UUID']);
    return {
      address: options.port || options.http ? origin : host,
      vendor: detectVendor(root).name,
      ...(typeof product === 'string' ? { product } : {}),
      redfishVersion: String(at(root, ['RedfishVersion'])),
      ...(typeof uuid === 'string' ? { uuid } : {}),
      ...(fingerprint256 ? { fingerprint256 } : {}),
    };
  } finally {
    closeTransport(transport);
  }
}

/** A BMC list file (YAML) for what was found, pinning each certificate seen. */
export function bmcListFile(found: readonly DiscoveredBmc[], credentials: string): string {
  const bmcs = found.map((bmc) => ({
    address: bmc.address,
    credentials,
    ...(bmc.fingerprint256 ? { tls: { mode: 'pin', fingerprint: bmc.fingerprint256 } } : {}),
    tags: [bmc.vendor],
  }));
  return `# Written by redfish-enlist discover: ${found.length} BMC${found.length === 1 ? '' : 's'}\n${stringify({ bmcs })}`;
}

function hostOf(address: string): string {
  return address.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '');
}
