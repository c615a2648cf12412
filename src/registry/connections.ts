// What `serve` lets a client hold open. Every connection is a file descriptor; connections that
// never finish a request head (or idle keep-alives) must not use up the process's file limit and
// lock everyone out. So: a head must arrive within a timeout; one client (an IPv4 address, an IPv6
// /64) holds at most `perClient` connections; the server at most `total`, both well below the file
// limit. At the total, a new connection replaces the connection idle longest (one with no request
// in progress: a head still arriving, a keep-alive waiting), else one whose request body is
// trickling in (a complete head, then a byte now and then, holds a connection as long as a head
// never finished would), so a client that asks is served.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';

/** The bounds on open connections. */
export interface ConnectionLimits {
  /** Connections open at once. */
  readonly total: number;
  /** Connections of one client open at once. */
  readonly perClient: number;
  /** A request head (and a TLS handshake) must arrive within this. */
  readonly headTimeoutMs: number;
  /**
   * A request body not complete this long after its head, and arriving slower on average than
   * `minBodyBytesPerSecond`, makes its connection one that can be closed to make room.
   */
  readonly bodyGraceMs: number;
  readonly minBodyBytesPerSecond: number;
}

/** The soft limit on open files of this process (Linux: /proc/self/limits), or 1024 when unknown. */
export function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((text) => text.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : 1024;
  } catch {
    return 1024;
  }
}

/**
 * The limits for a process allowed `fileLimit` open files: a quarter of them for connections, at
 * least 64 and at most 4,096; one client an eighth of those, 8 to 64. A body must come at 16 KiB/s
 * on average once 5 s have passed since its head: a commissioning upload of a few MB on any working
 * link is far faster (and Node's 60 s request timeout needs ~70 KB/s for 4 MB anyway).
 */
export function connectionLimits(fileLimit: number = openFileLimit()): ConnectionLimits {
  const total = Math.max(64, Math.min(4_096, Math.floor(fileLimit / 4)));
  return { total, perClient: Math.max(8, Math.min(64, Math.floor(total / 8))), headTimeoutMs: 10_000, bodyGraceMs: 5_000, minBodyBytesPerSecond: 16_384 };
}

/** The client a connection's address stands for: an IPv4 address, or the /64 of an IPv6 one. */
export function clientOf(address: string | undefined): string {
  if (!address) return 'unknown';
  const plain = address.replace(/%.*$/, '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!plain.includes(':')) return plain;
  const [head = '', tail] = plain.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** A request as the guard sees it: its socket, whether its body is all in, and what it declared. */
export interface GuardedRequest {
  readonly socket: { remoteAddress?: string | undefined; remotePort?: number | undefined };
  readonly complete: boolean;
  readonly headers: { readonly 'content-length'?: string | undefined; readonly 'transfer-encoding'?: string | undefined };
}

// The request in progress on a connection whose body may still be arriving.
interface Upload {
  readonly request: GuardedRequest;
  readonly at: number;
  readonly bytesAtHead: number;
}

interface Tracked {
  readonly key: string;
  readonly socket: Socket;
  readonly client: string;
  busy: number;
  upload: Upload | undefined;
}

/** Admits, refuses and evicts a server's connections (see the top of the file). */
export class ConnectionGuard {
  readonly limits: ConnectionLimits;
  // By remote address and port, which a TLS socket shares with the TCP socket under it.
  readonly #open = new Map<string, Tracked>();
  readonly #perClient = new Map<string, number>();
  // Connections with no request in progress, the longest idle first.
  readonly #idle = new Map<string, Tracked>();
  /** Connections refused or closed to make room, since the start. */
  refused = 0;
  evicted = 0;

  constructor(limits: ConnectionLimits) {
    this.limits = limits;
  }

  /** Connections open now. */
  get size(): number {
    return this.#open.size;
  }

  /** A new TCP connection: admitted, or destroyed at once. */
  admit(socket: Socket): void {
    const client = clientOf(socket.remoteAddress);
    const key = endpoint(socket);
    if ((this.#perClient.get(client) ?? 0) >= this.limits.perClient || (this.#open.size >= this.limits.total && !this.#evictIdlest())) {
      this.refused++;
      socket.destroy();
      return;
    }
    const tracked: Tracked = { key, socket, client, busy: 0, upload: undefined };
    this.#open.set(key, tracked);
    this.#idle.set(key, tracked);
    this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    socket.once('close', () => this.#forget(tracked));
  }

  #forget(tracked: Tracked): void {
    if (this.#open.get(tracked.key) !== tracked) return;
    this.#open.delete(tracked.key);
    this.#idle.delete(tracked.key);
    const left = (this.#perClient.get(tracked.client) ?? 1) - 1;
    if (left > 0) this.#perClient.set(tracked.client, left);
    else this.#perClient.delete(tracked.client);
  }

  /** A request's head arrived on a connection (on the TLS socket, or the TCP socket); call what it returns when it is answered. */
  started(request: GuardedRequest): () => void {
    const key = endpoint(request.socket);
    const tracked = this.#open.get(key);
    if (!tracked) return () => undefined;
    tracked.busy++;
    this.#idle.delete(key);
    const headers = request.headers;
    const upload = (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined ? { request, at: performance.now(), bytesAtHead: tracked.socket.bytesRead } : undefined;
    tracked.upload = upload;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      tracked.busy--;
      if (tracked.upload === upload) tracked.upload = undefined;
      if (tracked.busy === 0 && this.#open.get(key) === tracked) this.#idle.set(key, tracked);
    };
  }

  #evictIdlest(): boolean {
    const victim = this.#idle.values().next().value ?? this.#trickling();
    if (!victim) return false;
    this.evicted++;
    this.#forget(victim);
    victim.socket.destroy();
    return true;
  }

  // The first connection whose request body is past its grace and below the minimum rate.
  #trickling(): Tracked | undefined {
    const now = performance.now();
    const { bodyGraceMs, minBodyBytesPerSecond } = this.limits;
    for (const tracked of this.#open.values()) {
      const upload = tracked.upload;
      if (!upload || upload.request.complete) continue;
      const elapsed = now - upload.at;
      if (elapsed >= bodyGraceMs && ((tracked.socket.bytesRead - upload.bytesAtHead) * 1000) / elapsed < minBodyBytesPerSecond) return tracked;
    }
    return undefined;
  }
}

function endpoint(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`;
}
