import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT_OPTIONS } from '../../src/redfish/options.ts';
import { parseRetryAfter, retryDelay } from '../../src/redfish/retry.ts';

const options = DEFAULT_CLIENT_OPTIONS;
const base = { method: 'GET', random: 0.5 } as const;

describe('retryDelay', () => {
  it('waits for Retry-After on 503, capped at maxRetryAfterMs', () => {
    expect(retryDelay({ ...base, attempt: 1, kind: 'server', status: 503, retryAfterMs: 2_000 }, options)).toBe(2_000);
    expect(retryDelay({ ...base, attempt: 1, kind: 'server', status: 429, retryAfterMs: 3_600_000 }, options)).toBe(
      options.maxRetryAfterMs,
    );
  });

  it('backs off exponentially with jitter on 5xx and timeouts', () => {
    const first = retryDelay({ ...base, attempt: 1, kind: 'server', status: 500, random: 0 }, options);
    const second = retryDelay({ ...base, attempt: 2, kind: 'server', status: 500, random: 0 }, options);
    const third = retryDelay({ ...base, attempt: 3, kind: 'timeout', random: 0.999 }, options);
    expect(first).toBe(options.backoffBaseMs / 2);
    expect(second).toBe(options.backoffBaseMs);
    expect(third).toBeGreaterThan(second);
    expect(third).toBeLessThanOrEqual(options.backoffBaseMs * 4);
  });

  it('never waits longer than backoffMaxMs without a Retry-After', () => {
    expect(retryDelay({ ...base, attempt: 3, kind: 'server', status: 502, random: 0.999 }, { ...options, backoffMaxMs: 300 })).toBeLessThanOrEqual(300);
  });

  it('stops after the configured number of retries', () => {
    expect(retryDelay({ ...base, attempt: options.retries + 1, kind: 'server', status: 500 }, options)).toBe(0);
  });

  it('does not retry writes', () => {
    expect(retryDelay({ ...base, method: 'POST', attempt: 1, kind: 'server', status: 503, retryAfterMs: 10 }, options)).toBe(0);
  });

  it('retries a refused connection with the same backoff as a reset', () => {
    for (const attempt of [1, 2, 3]) {
      const reset = retryDelay({ ...base, attempt, kind: 'server' }, options);
      expect(reset).toBeGreaterThan(0);
      expect(retryDelay({ ...base, attempt, kind: 'unreachable', beforeConnect: true, refused: true }, options)).toBe(reset);
    }
    expect(retryDelay({ ...base, method: 'POST', attempt: 1, kind: 'unreachable', beforeConnect: true, refused: true }, options)).toBe(0);
  });

  it('does not retry a connect timeout or a host that does not answer, so a BMC that is gone costs one attempt', () => {
    expect(retryDelay({ ...base, attempt: 1, kind: 'timeout', beforeConnect: true }, options)).toBe(0);
    expect(retryDelay({ ...base, attempt: 1, kind: 'unreachable', beforeConnect: true }, options)).toBe(0);
    expect(retryDelay({ ...base, attempt: 1, kind: 'tls', beforeConnect: true }, options)).toBe(0);
  });

  it('does not retry answers that will not change: auth, not-found, licence, bad-response', () => {
    for (const kind of ['auth', 'not-found', 'licence', 'bad-response', 'refused-link', 'tls'] as const) {
      expect(retryDelay({ ...base, attempt: 1, kind }, options)).toBe(0);
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads delta seconds', () => {
    expect(parseRetryAfter('7', 0)).toBe(7_000);
  });

  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('Wed, 25 Nov 2026 10:00:00 GMT');
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
