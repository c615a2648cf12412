// The region itself, before anything of this project touches it: what every other suite here stands on.
import { beforeAll, describe, expect, it } from 'vitest';
import { MAAS_URL, maasJson, maasLogin, resetRegion } from './region.ts';

describe('the real MAAS region', () => {
  beforeAll(async () => {
    await resetRegion();
  });

  it('answers as MAAS 3.4 and lets MAAS’s own CLI log in with the admin key and read no machines', async () => {
    const version = (await (await fetch(new URL('api/2.0/version/', MAAS_URL))).json()) as { version: string };
    expect(version.version).toMatch(/^3\.4\./);
    await maasLogin('admin');
    expect(await maasJson(['admin', 'machines', 'read'])).toEqual([]);
  });
});
