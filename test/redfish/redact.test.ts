// Redacting what another party echoes back: long secrets wherever they occur, short ones only as
// words of their own outside paths and URLs, user-info out of URLs.
import { describe, expect, it } from 'vitest';
import { credentialSecrets, redactEcho, redactEchoDeep, withoutUserinfo } from '../../src/redfish/redact.ts';

describe('redactEcho', () => {
  it('cuts a long secret out wherever it occurs, and its percent-encoded and JSON-escaped forms', () => {
    const secret = 'S3cret/pw"x';
    expect(redactEcho(`a${secret}b ${encodeURIComponent(secret)} ${JSON.stringify(secret)}`, [secret])).toBe('a[redacted]b [redacted] "[redacted]"');
  });

  it('cuts a short secret out where it stands alone, never out of a path, a URL or a longer word', () => {
    const text = 'password redfish refused for "redfish"; admin/redfish; GET /redfish/v1/Systems/1, http://h/redfish/v1 and redfishes';
    expect(redactEcho(text, ['redfish'])).toBe('password [redacted] refused for "[redacted]"; admin/[redacted]; GET /redfish/v1/Systems/1, http://h/redfish/v1 and redfishes');
    expect(redactEcho('password v1. /redfish/v1/Systems/Self', ['v1'])).toBe('password [redacted]. /redfish/v1/Systems/Self');
  });

  it("cuts out the basic-auth token a BMC echoes back", () => {
    const [password, basic] = credentialSecrets('admin', 'v1');
    expect(redactEcho(`Authorization: Basic ${basic}, password v1`, [password, basic])).toBe('Authorization: Basic [redacted], password [redacted]');
  });

  it('redacts every string of echoed data, and user-info out of URLs', () => {
    expect(redactEchoDeep({ model: 'pw redfish', path: '/redfish/v1', list: ['redfish'] }, ['redfish'])).toEqual({ model: 'pw [redacted]', path: '/redfish/v1', list: ['[redacted]'] });
    expect(withoutUserinfo('see http://admin:pw@evil.example/x and https://h/y')).toBe('see http://[redacted]@evil.example/x and https://h/y');
  });
});
