import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMockup } from '../../../src/redfish/mockup.ts';
import { generateCertificate, startBmc, type SimulatedBmc } from '../../../src/redfish/simulator/index.ts';
import { call, failure, HAVE_MOCKUPS, MOCKUPS } from './helpers.ts';

const running: SimulatedBmc[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((bmc) => bmc.close()));
});

describe('generateCertificate', () => {
  it('makes a self-signed EC P-256 certificate for the given IPs and names, with its SHA-256 fingerprint', async () => {
    const { key, cert, fingerprint256 } = await generateCertificate({ hosts: ['127.0.0.1', 'bmc.example'] });
    const x509 = new X509Certificate(cert);
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.subjectAltName).toContain('DNS:bmc.example');
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(fingerprint256).toBe(x509.fingerprint256);
    expect(fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(x509.checkPrivateKey((await import('node:crypto')).createPrivateKey(key))).toBe(true);
  });

  it('rejects an empty host list with a TypeError naming the option', async () => {
    await expect(generateCertificate({ hosts: [] })).rejects.toThrow(/`hosts`/);
  });
});

describe.skipIf(!HAVE_MOCKUPS)(`HTTPS BMC (public mockups in ${MOCKUPS}; skipped when absent)`, () => {
  it("verifies against its generated certificate used as the client's CA file, and fails without it", async () => {
    const bmc = await startBmc({ mockup: await loadMockup(join(MOCKUPS, 'dmtf-public-rackmount1')) });
    running.push(bmc);
    expect(bmc.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(bmc.fingerprint256).toBe(new X509Certificate(bmc.certificatePem ?? '').fingerprint256);
    const answer = await call(`${bmc.url}/redfish/v1`, { ca: bmc.certificatePem ?? '' });
    expect(answer.status).toBe(200);
    expect((await failure(`${bmc.url}/redfish/v1`)).message).toMatch(/self-signed certificate/);
  });

  it('serves HTTPS with a certificate it is given', async () => {
    const certificate = await generateCertificate({ hosts: ['127.0.0.1'] });
    const bmc = await startBmc({ mockup: await loadMockup(join(MOCKUPS, 'dmtf-public-rackmount1')), tls: certificate });
    running.push(bmc);
    expect(bmc.fingerprint256).toBe(certificate.fingerprint256);
    expect((await call(`${bmc.url}/redfish`, { ca: certificate.cert })).status).toBe(200);
  });
});
