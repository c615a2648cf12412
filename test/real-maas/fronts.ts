// The two ways the region's web server is reached: through nginx, as MAAS 3.2+ serves port 5240, and
// directly (a byte-for-byte front), as MAAS 3.0/3.1 served it from Twisted with no request
// buffering. Scenarios whose requests' framing matters (hardware pushes, creates, releases) run
// behind both.
import { afterAll, beforeAll, expect } from 'vitest';
import { MAAS_URL, setFront } from './region.ts';

export const FRONTS = ['nginx', 'tcp'] as const;
export type Front = (typeof FRONTS)[number];

/** Who answers on the region's port: `nginx/…`, or MAAS's Twisted web server itself (`TwistedWeb/…`). */
async function serverHeader(): Promise<string> {
  const response = await fetch(new URL('api/2.0/version/', MAAS_URL));
  await response.arrayBuffer();
  return response.headers.get('server') ?? '';
}

/**
 * Serves the region through FRONT for the tests of the describe block it is called in (first, so
 * that the block's own hooks run behind it), and puts nginx back after them.
 */
export function behind(front: Front): void {
  beforeAll(async () => {
    if (front === 'tcp') await setFront('tcp');
    expect(await serverHeader()).toMatch(front === 'tcp' ? /^TwistedWeb\// : /^nginx\//);
  });
  afterAll(async () => {
    if (front === 'tcp') await setFront('nginx');
  });
}
