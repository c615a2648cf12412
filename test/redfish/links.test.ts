import { describe, expect, it } from 'vitest';
import { bmcHostPort, checkLink, originOf } from '../../src/redfish/links.ts';

const origin = 'https://10.0.0.5';

describe('checkLink', () => {
  it('accepts paths under /redfish/v1 on the BMC origin', () => {
    expect(checkLink(origin, '/redfish/v1/Systems/1')).toEqual({ ok: true, path: '/redfish/v1/Systems/1' });
    expect(checkLink(origin, 'https://10.0.0.5/redfish/v1/Chassis/')).toEqual({ ok: true, path: '/redfish/v1/Chassis/' });
    expect(checkLink(origin, '/redfish/v1/')).toEqual({ ok: true, path: '/redfish/v1/' });
  });

  it('keeps the percent-encoding of ids as the BMC wrote them', () => {
    expect(checkLink(origin, '/redfish/v1/Managers/iDRAC.Embedded.1/EthernetInterfaces/iDRAC.Embedded.1%23NIC.1')).toEqual({
      ok: true,
      path: '/redfish/v1/Managers/iDRAC.Embedded.1/EthernetInterfaces/iDRAC.Embedded.1%23NIC.1',
    });
  });

  it('keeps a nextLink query and drops fragments', () => {
    expect(checkLink(origin, '/redfish/v1/Systems?$skip=2')).toEqual({ ok: true, path: '/redfish/v1/Systems?$skip=2' });
    expect(checkLink(origin, '/redfish/v1/Systems/1#/Oem')).toEqual({ ok: true, path: '/redfish/v1/Systems/1' });
  });

  it('refuses another host, another port and another scheme', () => {
    expect(checkLink(origin, 'https://evil.example/redfish/v1/Systems').ok).toBe(false);
    expect(checkLink(origin, 'https://10.0.0.5:8443/redfish/v1/Systems').ok).toBe(false);
    expect(checkLink(origin, 'http://10.0.0.5/redfish/v1/Systems').ok).toBe(false);
    expect(checkLink(origin, '//evil.example/redfish/v1').ok).toBe(false);
  });

  it('refuses paths outside /redfish/v1 and dot segments', () => {
    expect(checkLink(origin, '/etc/passwd')).toEqual({ ok: false, reason: 'outside /redfish/v1' });
    expect(checkLink(origin, '/redfish/v1/../../etc/passwd').ok).toBe(false);
    expect(checkLink(origin, '/redfish/v1/Systems/%2e%2e/%2e%2e/admin').ok).toBe(false);
    expect(checkLink(origin, '/redfish/v10/Systems').ok).toBe(false);
  });

  it('refuses links carrying credentials and things that are not links', () => {
    expect(checkLink(origin, 'https://user:pw@10.0.0.5/redfish/v1').ok).toBe(false);
    expect(checkLink(origin, 42).ok).toBe(false);
    expect(checkLink(origin, '').ok).toBe(false);
  });
});

describe('originOf', () => {
  it('reads host, host:port and URLs, HTTPS by default', () => {
    expect(originOf('10.0.0.5')).toBe('https://10.0.0.5');
    expect(originOf('bmc-7.example:8443')).toBe('https://bmc-7.example:8443');
    expect(originOf('http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000');
    expect(originOf('[fd00::5]')).toBe('https://[fd00::5]');
  });

  it('refuses addresses with credentials or other schemes, naming the problem', () => {
    expect(() => originOf('https://root:calvin@10.0.0.5')).toThrow(/must not carry credentials/);
    expect(() => originOf('ftp://10.0.0.5')).toThrow(/http or https/);
    expect(() => originOf('')).toThrow(/empty/);
  });
});

describe('bmcHostPort', () => {
  it('gives host[:port], the power_address MAAS’s Redfish driver adds https:// to, however the address is spelt', () => {
    expect(bmcHostPort('https://10.0.0.5:8443/redfish/v1')).toBe('10.0.0.5:8443');
    expect(bmcHostPort('10.0.0.5:8443')).toBe('10.0.0.5:8443');
    expect(bmcHostPort('https://BMC-7.example:443/')).toBe('bmc-7.example');
    expect(bmcHostPort('bmc-7.example')).toBe('bmc-7.example');
    expect(bmcHostPort('[FD00::5]:8443')).toBe('[fd00::5]:8443');
  });

  it('keeps the port of an http:// address, 80 included, so it is never taken for HTTPS on 443', () => {
    expect(bmcHostPort('http://127.0.0.1:8000')).toBe('127.0.0.1:8000');
    expect(bmcHostPort('http://10.0.0.5')).toBe('10.0.0.5:80');
  });

  it('leaves what is no address at all as it is, trimmed and lowercased', () => {
    expect(bmcHostPort(' Not An Address ')).toBe('not an address');
  });
});
