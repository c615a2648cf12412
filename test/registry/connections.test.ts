// The bounds `serve` puts on connections, from the process's file limit, and who counts as one client.
import { describe, expect, it } from 'vitest';
import { clientOf, connectionLimits } from '../../src/registry/connections.ts';

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
