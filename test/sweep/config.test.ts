import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, parseDuration } from '../../src/sweep/config.ts';
import { expandRange } from '../../src/sweep/addresses.ts';

const files: Record<string, string> = {
  '/etc/ilo.password': 'il0-s3cret\n',
  '/etc/redfish-enlist/ilo.password': 'il0-s3cret\n',
  '/etc/redfish-enlist/ilo-ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  '/conf/bmcs.yaml': 'bmcs:\n  - address: 10.9.9.9\n    credentials: idrac\n',
};
const readText = (path: string) => {
  if (path in files) return files[path]!;
  throw Object.assign(new Error('missing'), { code: 'ENOENT' });
};
const env = { IDRAC_PASSWORD: 'calvin-9' };
const parse = (text: string) => parseConfig(text, { env, readText, file: '/conf/redfish-enlist.yaml' });
const problems = (text: string): string[] => {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be refused');
};

describe('configuration', () => {
  it('reads the full example in examples/, resolving credentials, includes and ranges', () => {
    const example = join(import.meta.dirname, '..', '..', 'examples', 'redfish-enlist.yaml');
    const config = loadConfig(example, { env, readText: (path) => (path.endsWith('bmcs.yaml') || path === example ? readFileSync(path, 'utf8') : readText(path)) });
    expect(config.bmcs.map((bmc) => bmc.address).slice(0, 3)).toEqual(['10.20.0.11', 'https://10.20.0.12:8443', '10.20.1.1']);
    expect(config.bmcs.filter((bmc) => bmc.discovered)).toHaveLength(14);
    expect(config.bmcs.at(-1)).toMatchObject({ address: '10.20.2.22', tags: ['rack-b2'], password: 'calvin-9' });
    expect(config.bmcs[1]).toMatchObject({ username: 'enlist', password: 'il0-s3cret', systemId: '1', tls: { mode: 'ca' }, client: { expand: 'off', requestTimeoutMs: 60_000 } });
    expect(config.schedule).toEqual({ intervalMs: 3_600_000, jitterMs: 300_000, fullReadEveryMs: 86_400_000 });
    expect(config.concurrency).toEqual({ bmcs: 64, perBmc: 2, perBmcRate: 0, requests: 64 });
  });

  it('lists every problem with its path, before anything is contacted', () => {
    expect(
      problems(`
credentials:
  idrac: { username: root, passwordEnv: MISSING_VAR }
bmcs:
  - address: ftp://10.0.0.1
    credentials: idrac
  - address: 10.0.0.2
    credentials: nobody
  - address: 10.0.0.3
    credentials: idrac
    tls: { mode: pin, fingerprint: "not-hex" }
    rate: -1
  - discover: 10.0.0.0/8
    credentials: idrac
schedule: { interval: soon, fullReadEvery: often }
concurrency: { bmcs: 0, perbmc: 4 }
colour: blue
`),
    ).toEqual([
      'colour: unknown setting (expected one of target, credentials, defaults, bmcs, include, schedule, concurrency, deadlines, daemon, log)',
      'credentials.idrac.passwordEnv: environment variable MISSING_VAR is not set',
      'bmcs[0].address: Expected an http or https BMC address, got `ftp://10.0.0.1`',
      'bmcs[1].credentials: no credentials named "nobody"',
      'bmcs[2].tls.fingerprint: Expected a SHA-256 fingerprint (64 hex digits), got `not-hex`',
      'bmcs[2].rate: expected a number from 0 to 1000, got -1',
      'bmcs[3].discover: 10.0.0.0/8: 16777216 addresses is more than 65536; split the range',
      'concurrency.perbmc: unknown setting (expected bmcs, perBmc, perBmcRate, requests)',
      'schedule.interval: expected a duration of at least 1000 ms (e.g. 30s, 5m, 1h), got "soon"',
      'schedule.fullReadEvery: expected a duration of at least 0 ms (e.g. 30s, 5m, 1h), got "often"',
      'concurrency.bmcs: expected a whole number from 1 to 10000, got 0',
    ]);
  });

  it('reports a BMC listed twice, and an unreadable include, by where they are', () => {
    const found = problems(`
credentials: { idrac: { username: root, passwordEnv: IDRAC_PASSWORD } }
bmcs:
  - { address: 10.9.9.9, credentials: idrac }
include: [bmcs.yaml, missing.yaml]
`);
    expect(found).toEqual(['include[1]: cannot read missing.yaml: ENOENT', 'bmcs.yaml: bmcs[0]: 10.9.9.9 is already listed at bmcs[0]']);
  });

  it('warns about inline passwords and insecure TLS but accepts them', () => {
    const config = parse(`
credentials: { lab: { username: admin, password: inline-pw } }
bmcs: [{ address: 10.0.0.5, credentials: lab, tls: insecure }]
`);
    expect(config.warnings).toEqual(['credentials.lab: password is inline in the configuration file; prefer passwordEnv or passwordFile', 'bmcs[0]: TLS verification is off for 10.0.0.5']);
  });

  it('never shows a password in a problem report', () => {
    const error = (() => {
      try {
        parse(`credentials: { lab: { username: admin, password: hunter2-secret, passwordEnv: X } }\nbmcs: [{ address: 10.0.0.5, credentials: lab }]`);
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.message).toContain('give exactly one of passwordEnv, passwordFile or password');
    expect(error?.message).not.toContain('hunter2-secret');
  });

  it('refuses YAML that is not a mapping, naming the file', () => {
    expect(() => parse('- just\n- a list')).toThrow(/must be a YAML mapping/);
    expect(problems('bmcs: [unclosed')[0]).toMatch(/^\/conf\/redfish-enlist\.yaml: not valid YAML/);
  });

  it('needs a key or a tokens folder for a maas target', () => {
    expect(problems('target: { kind: maas, url: http://maas:5240/MAAS }')).toEqual(['target: a maas target needs apiKeyFile (admin key) or credentialsDir (per-machine tokens), or both']);
  });

  it('enlists with Redfish power unless the maas target says manual, and refuses any other power type', () => {
    const target = (extra: string) => parse(`target: { kind: maas, url: http://maas:5240/MAAS, credentialsDir: /var/tokens${extra} }`).target;
    expect(target('')).toMatchObject({ kind: 'maas', powerType: 'redfish' });
    expect(target(', powerType: manual')).toMatchObject({ kind: 'maas', powerType: 'manual' });
    expect(problems('target: { kind: maas, url: http://maas:5240/MAAS, credentialsDir: /var/tokens, powerType: ipmi }')).toEqual([
      'target.powerType: expected redfish (MAAS powers machines through their BMC; release powers them off) or manual (MAAS never powers them), got "ipmi"',
    ]);
  });

  it.each([
    ['90', 90_000],
    [90, 90_000],
    ['500ms', 500],
    ['5m', 300_000],
    ['1.5h', 5_400_000],
    ['soon', undefined],
  ])('reads the duration %s as %s ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('expands CIDRs without network and broadcast, and short ranges', () => {
    expect(expandRange('10.0.0.0/30')).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(expandRange('10.0.0.254-10.0.1.1')).toEqual(['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
    expect(expandRange('192.168.5.10-12')).toEqual(['192.168.5.10', '192.168.5.11', '192.168.5.12']);
    expect(() => expandRange('300.1.1.1')).toThrow(/expected an IPv4 address/);
  });
});
