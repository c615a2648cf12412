import { describe, expect, it } from 'vitest';
import { parseApiKey } from '../../src/maas/api-key.ts';
import { OAuthSigner } from '../../src/maas/oauth.ts';
import { parseOAuth } from './helpers.ts';

const key = parseApiKey('Consumer:Token:Secret');
const NOW = Date.parse('2026-11-25T10:00:00Z');

describe('OAuthSigner', () => {
  it('writes the timestamp of the injected clock plus the learnt offset, in seconds', () => {
    let now = NOW + 999;
    const signer = new OAuthSigner({ now: () => now });
    expect(parseOAuth(signer.sign(key, 'GET', 'http://m/MAAS/api/2.0/')).oauth_timestamp).toBe(String(NOW / 1000));
    now = NOW;
    expect(signer.correctClock(new Date(NOW + 120_000).toUTCString())).toBe(true);
    expect(parseOAuth(signer.sign(key, 'GET', 'http://m/MAAS/api/2.0/')).oauth_timestamp).toBe(String(NOW / 1000 + 120));
  });

  it('blames the clock only when the Date header shows a skew it does not already account for', () => {
    const signer = new OAuthSigner({ now: () => NOW });
    expect(signer.correctClock(undefined)).toBe(false);
    expect(signer.correctClock('not a date')).toBe(false);
    expect(signer.correctClock(new Date(NOW + 2_000).toUTCString())).toBe(false);
    expect(signer.correctClock(new Date(NOW - 600_000).toUTCString())).toBe(true);
    expect(signer.correctClock(new Date(NOW - 600_000).toUTCString())).toBe(false);
    expect(signer.offsetMs).toBe(-600_000);
  });

  it('percent-encodes the PLAINTEXT signature "&secret" in the header', () => {
    const header = new OAuthSigner({ nonce: () => 'n0nce' }).sign(key, 'POST', 'http://m/MAAS/metadata/2012-03-01/');
    expect(header).toMatch(/^OAuth /);
    expect(header).toContain('oauth_signature="%26Secret"');
    expect(header).toContain('oauth_nonce="n0nce"');
  });
});

describe('parseApiKey', () => {
  it('reads consumer:token:secret, ignoring surrounding whitespace', () => {
    expect(parseApiKey(' c:t:s\n')).toEqual({ consumerKey: 'c', tokenKey: 't', tokenSecret: 's' });
  });

  it('says which part is wrong without quoting the key', () => {
    expect(() => parseApiKey('c::s')).toThrow('Expected the token key of `apiKey` to be non-empty');
    expect(() => parseApiKey('c:t:s:x')).toThrow(/got 4/);
    expect(() => parseApiKey('c:t:"TopSecret"')).toThrow(/token secret/);
    expect(() => parseApiKey('c:t:"TopSecret"')).not.toThrow(/TopSecret/);
    expect(() => parseApiKey(42)).toThrow(TypeError);
  });
});
