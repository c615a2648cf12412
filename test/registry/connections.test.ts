// The bounds `serve` puts on connections, from the process's file limit, who counts as one client,
// and which connection makes room when the server is full.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { clientOf, ConnectionGuard, connectionLimits } from '../../src/registry/connections.ts';

describe('connection limits', () => {
  it('keeps connections to a quarter of the file limit (64 to 4,096), a client to an eighth of those (8 to 64)', () => {
    expect(connectionLimits(1024)).toMatchObject({ total: 256, perClient: 32 });
    expect(connectionLimits(20_000)).toMatchObject({ total: 4_096, perClient: 64 });
    expect(connectionLimits(100)).toMatchObject({ total: 64, perClient: 8 });
  });

  it('counts an IPv4 address as one client, and an IPv6 address by its /64', () => {
    expect(clientOf('10.1.2.3')).toBe('10.1.2.3');
    expect(clientOf('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientOf('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(clientOf('2001:0db8:0000:0001:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(clientOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientOf(undefined)).toBe('unknown');
  });
});

// A socket as the guard uses one: its address, the bytes read from it, and its closing.
class FakeSocket extends EventEmitter {
  bytesRead = 0;
  destroyed = false;
  readonly remoteAddress: string;
  readonly remotePort: number;
  constructor(remoteAddress: string, remotePort: number) {
    super();
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

describe('a full server and request bodies still arriving', () => {
  const limits = { total: 3, perClient: 8, headTimeoutMs: 10_000, bodyGraceMs: 5_000, minBodyBytesPerSecond: 16_384 };
  const upload = (socket: FakeSocket, complete = false) => ({ socket, complete, headers: { 'content-length': '4000000' } });

  it('makes room by closing a body that trickles in past its grace, never one arriving at a working rate', () => {
    let now = 1_000;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const guard = new ConnectionGuard(limits);
      const [fast, trickling, done, newcomer, late] = [1, 2, 3, 4, 5].map((port) => new FakeSocket('127.0.0.1', port)) as [FakeSocket, FakeSocket, FakeSocket, FakeSocket, FakeSocket];
      for (const socket of [fast, trickling, done]) guard.admit(socket as unknown as Socket);
      guard.started(upload(fast));
      guard.started(upload(trickling));
      // A body all in whose answer is still being worked on is no upload to cut.
      guard.started(upload(done, true));
      now += 4_000;
      // Within the grace, nothing is closed: the newcomer is refused.
      guard.admit(newcomer as unknown as Socket);
      expect(newcomer.destroyed).toBe(true);
      now += 2_000;
      fast.bytesRead += 6 * 100_000; // 100 kB/s
      trickling.bytesRead += 1; // a byte now and then
      guard.admit(late as unknown as Socket);
      expect([late.destroyed, fast.destroyed, trickling.destroyed, done.destroyed]).toEqual([false, false, true, false]);
      expect(guard.evicted).toBe(1);
    } finally {
      clock.mockRestore();
    }
  });
});
