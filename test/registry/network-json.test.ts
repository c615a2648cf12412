// The networks of addresses, as MAAS names its subnets (netaddr's CIDR notation).
import { describe, expect, it } from 'vitest';
import { networkOf } from '../../src/registry/network-json.ts';

describe('the network of an address', () => {
  it('masks IPv4 and IPv6 addresses to their prefix, IPv6 written as RFC 5952 says', () => {
    expect(networkOf('10.20.30.41/24')).toBe('10.20.30.0/24');
    expect(networkOf('192.168.7.200/27')).toBe('192.168.7.192/27');
    expect(networkOf('172.16.5.4/32')).toBe('172.16.5.4/32');
    expect(networkOf('10.0.0.1/0')).toBe('0.0.0.0/0');
    expect(networkOf('2001:DB8:0:1::5/64')).toBe('2001:db8:0:1::/64');
    expect(networkOf('2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff/56')).toBe('2001:db8:aaaa:bb00::/56');
    expect(networkOf('fd00:0:0:0:1:0:0:1/128')).toBe('fd00::1:0:0:1/128');
    expect(networkOf('2001:db8:1:0:0:1:0:0/128')).toBe('2001:db8:1::1:0:0/128');
  });

  it('gives nothing for what is not an address with a prefix', () => {
    for (const bad of ['10.20.30.41', '10.20.30.300/24', '10.20.30/24', '10.20.30.41/33', '2001:db8::1::2/64', 'fe80::x/64', '2001:db8::/129']) expect(networkOf(bad), bad).toBeUndefined();
  });
});
