import { describe, expect, it } from 'vitest';
import { errorFromResponse, isSessionLimit, mostSevereMessage } from '../../src/redfish/errors.ts';

const redfishError = (...infos: { MessageId: string; Message?: string; Severity?: string }[]) => ({
  error: { code: 'Base.1.8.GeneralError', message: 'A general error has occurred.', '@Message.ExtendedInfo': infos },
});
const ctx = { bmc: 'https://10.0.0.5', method: 'GET', path: '/redfish/v1/Systems/1/Storage' };

describe('errorFromResponse', () => {
  it('classes HPE and Supermicro licence answers as licence, not auth', () => {
    expect(errorFromResponse(400, redfishError({ MessageId: 'iLO.2.14.LicenseKeyRequired', Severity: 'Critical' }), ctx).kind).toBe('licence');
    const smc = errorFromResponse(403, redfishError({ MessageId: 'SMC.1.0.OemLicenseNotPassed', Severity: 'Warning' }), ctx);
    expect(smc.kind).toBe('licence');
    expect(smc.messageId).toBe('SMC.1.0.OemLicenseNotPassed');
  });

  it('classes statuses as auth, not-found, server and bad-response', () => {
    expect(errorFromResponse(401, undefined, ctx).kind).toBe('auth');
    expect(errorFromResponse(403, undefined, ctx).kind).toBe('auth');
    expect(errorFromResponse(404, undefined, ctx).kind).toBe('not-found');
    expect(errorFromResponse(500, undefined, ctx).kind).toBe('server');
    expect(errorFromResponse(429, undefined, ctx).kind).toBe('server');
    expect(errorFromResponse(400, undefined, ctx).kind).toBe('bad-response');
  });

  it('says method, path, status and the most severe BMC message', () => {
    const error = errorFromResponse(
      500,
      redfishError(
        { MessageId: 'Base.1.8.PropertyUnknown', Message: 'minor', Severity: 'OK' },
        { MessageId: 'Base.1.8.InternalError', Message: 'The BMC fell over.', Severity: 'Critical' },
      ),
      ctx,
    );
    expect(error.message).toBe('GET /redfish/v1/Systems/1/Storage failed with HTTP 500: The BMC fell over.');
    expect(error.messageId).toBe('Base.1.8.InternalError');
    expect(error.status).toBe(500);
  });
});

describe('session limit detection', () => {
  it('recognises iDRAC RAC0218 and the DMTF SessionLimitExceeded message', () => {
    expect(isSessionLimit(redfishError({ MessageId: 'IDRAC.2.8.RAC0218', Message: 'The maximum number of user sessions is reached.' }))).toBe(true);
    expect(isSessionLimit(redfishError({ MessageId: 'Base.1.8.SessionLimitExceeded' }))).toBe(true);
    expect(isSessionLimit(redfishError({ MessageId: 'Base.1.8.InternalError' }))).toBe(false);
    expect(isSessionLimit('<html>')).toBe(false);
  });

  it('falls back to the error code when there is no extended info', () => {
    expect(mostSevereMessage({ error: { code: 'Base.1.0.GeneralError', message: 'x' } })).toEqual({ id: 'Base.1.0.GeneralError', message: 'x' });
  });
});
