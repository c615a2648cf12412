import { describe, expect, it } from 'vitest';
import { DEFAULT_MAAS_CLIENT_OPTIONS } from '../../src/maas/options.ts';
import { maasRetryDelay, parseRetryAfter } from '../../src/maas/retry.ts';

const options = DEFAULT_MAAS_CLIENT_OPTIONS;
const base = { attempt: 1, random: 0.5 } as const;

describe('maasRetryDelay', () => {
  it('retries connection failures before sending for every method, creates included', () => {
    expect(maasRetryDelay({ ...base, idempotent: false, phase: 'not-sent' }, options)).toBeGreaterThan(0);
  });

  it('retries failures after sending only for idempotent requests', () => {
    expect(maasRetryDelay({ ...base, idempotent: true, phase: 'maybe-sent' }, options)).toBeGreaterThan(0);
    expect(maasRetryDelay({ ...base, idempotent: false, phase: 'maybe-sent' }, options)).toBe(0);
  });

  it('retries 503 for every method, 502 and 504 only when idempotent', () => {
    expect(maasRetryDelay({ ...base, idempotent: false, status: 503 }, options)).toBeGreaterThan(0);
    for (const status of [502, 504]) {
      expect(maasRetryDelay({ ...base, idempotent: true, status }, options)).toBeGreaterThan(0);
      expect(maasRetryDelay({ ...base, idempotent: false, status }, options)).toBe(0);
    }
  });

  it('does not retry answers that will not change: 400, 401, 403, 404, 409, 500', () => {
    for (const status of [400, 401, 403, 404, 409, 500]) {
      expect(maasRetryDelay({ ...base, idempotent: true, status }, options)).toBe(0);
    }
  });

  it('waits for a 503 Retry-After, capped at maxRetryAfterMs', () => {
    expect(maasRetryDelay({ ...base, idempotent: true, status: 503, retryAfterMs: 5_000 }, options)).toBe(5_000);
    expect(maasRetryDelay({ ...base, idempotent: true, status: 503, retryAfterMs: 3_600_000 }, options)).toBe(options.maxRetryAfterMs);
  });

  it('backs off exponentially with jitter, never beyond backoffMaxMs', () => {
    const at = (attempt: number, random: number) => maasRetryDelay({ attempt, random, idempotent: true, status: 502 }, { ...options, retries: 10 });
    expect(at(1, 0)).toBe(options.backoffBaseMs / 2);
    expect(at(2, 0)).toBe(options.backoffBaseMs);
    expect(at(3, 0.999)).toBeLessThanOrEqual(options.backoffBaseMs * 4);
    expect(at(10, 0.999)).toBeLessThanOrEqual(options.backoffMaxMs);
  });

  it('stops after the configured number of retries', () => {
    expect(maasRetryDelay({ ...base, attempt: options.retries + 1, idempotent: true, status: 503 }, options)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.parse('Wed, 25 Nov 2026 10:00:00 GMT');
    expect(parseRetryAfter('5', now)).toBe(5_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('later', now)).toBeUndefined();
  });
});
