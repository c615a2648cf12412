import { describe, expect, it } from 'vitest';
import type { BmcState } from '../../src/registry/bmc-state.ts';
import type { BmcConfig } from '../../src/sweep/config.ts';
import { basicInsteadRecord, basicInsteadSince, basicInsteadWarning } from '../../src/sweep/basic-instead.ts';

const bmc: BmcConfig = { name: 'b', address: 'https://b', username: 'u', password: 'p', credentials: 'c', tls: { mode: 'verify' }, tags: [], client: {}, discovered: false };
const state = (basicAuthSince?: string): BmcState => ({
  address: bmc.address,
  consecutiveFailures: 0,
  systems: {},
  last: { outcome: 'unchanged', requests: 1, bytes: 1, ms: 1, tls: 'verify', at: '2025-01-01T00:00:00Z', ...(basicAuthSince ? { basicAuthSince } : {}) },
});
const since = '2025-01-01T00:00:00.000Z';

describe('basic auth instead of a session that could not be deleted', () => {
  it('is used for a week after the sweep that found it, then a session is tried again', () => {
    expect(basicInsteadSince(state(since), bmc, {}, new Date('2025-01-07T23:00:00Z'))).toBe(since);
    expect(basicInsteadSince(state(since), bmc, {}, new Date('2025-01-08T00:00:00Z'))).toBeUndefined();
    expect(basicInsteadSince(state(), bmc, {}, new Date('2025-01-02T00:00:00Z'))).toBeUndefined();
    expect(basicInsteadWarning(since)).toMatch(/on 2025-01-01 .* tried again from 2025-01-08$/);
  });

  it('gives way to an auth setting in the configuration', () => {
    expect(basicInsteadSince(state(since), { ...bmc, client: { auth: 'session' } }, {}, new Date(since))).toBeUndefined();
    expect(basicInsteadSince(state(since), bmc, { auth: 'session' }, new Date(since))).toBeUndefined();
  });

  it('is forgotten once basic auth itself is refused, and kept through other failures', () => {
    expect(basicInsteadRecord(false, since, '2025-01-03T00:00:00.000Z', 'auth')).toBeUndefined();
    expect(basicInsteadRecord(false, since, '2025-01-03T00:00:00.000Z', 'timeout')).toBe(since);
    expect(basicInsteadRecord(true, undefined, '2025-01-03T00:00:00.000Z')).toBe('2025-01-03T00:00:00.000Z');
  });
});
