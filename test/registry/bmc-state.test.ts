import { afterEach, describe, expect, it } from 'vitest';
import { loadReadCache, saveReadCache } from '../../src/registry/bmc-state.ts';
import type { CachedRead } from '../../src/redfish/client.ts';
import { temporaryStore } from './fixtures.ts';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('the read cache', () => {
  it('gives back, next sweep, every body and ETag it was given, whether stored as received (BOM and all) or serialised', () => {
    const { store, dispose } = temporaryStore();
    cleanup = dispose;
    const received = '{ "Id": "1", "__proto__": {"x": 1}, "Name": "caf\u00e9 \\u2603" }';
    const entries = new Map<string, CachedRead>([
      ['/redfish/v1/Systems/1', { etag: 'W/"a\\"b"', body: JSON.parse(received), raw: Buffer.from(`\uFEFF${received}`) }],
      ['/redfish/v1/Chassis', { body: { Members: [{ '@odata.id': '/redfish/v1/Chassis/1' }] } }],
      ['/redfish/v1/Empty', { etag: '"e"', body: undefined }],
    ]);
    saveReadCache(store, 'https://bmc-1', { entries, fullReadAt: '2026-12-02T00:00:00.000Z' });
    const loaded = loadReadCache(store, 'https://bmc-1');
    expect(loaded.fullReadAt).toBe('2026-12-02T00:00:00.000Z');
    expect([...loaded.entries]).toEqual([
      ['/redfish/v1/Systems/1', { etag: 'W/"a\\"b"', body: JSON.parse(received) }],
      ['/redfish/v1/Chassis', { body: { Members: [{ '@odata.id': '/redfish/v1/Chassis/1' }] } }],
      ['/redfish/v1/Empty', { etag: '"e"' }],
    ]);
    expect(Object.hasOwn(loaded.entries.get('/redfish/v1/Systems/1')!.body as object, '__proto__')).toBe(true);
  });

  it('still reads the reads remembered as text by an earlier version', () => {
    const { store, dispose } = temporaryStore();
    cleanup = dispose;
    const entries = [['/redfish/v1/Systems/1', { etag: '"1"', body: { Id: '1' } }]];
    store.run('INSERT INTO read_cache (address, entries, full_read_at) VALUES (?, ?, NULL)', 'https://bmc-1', JSON.stringify(entries));
    expect([...loadReadCache(store, 'https://bmc-1').entries]).toEqual(entries);
  });
});
