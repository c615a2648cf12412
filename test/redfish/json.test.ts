import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../../src/redfish/json.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseJsonBody', () => {
  it('parses ordinary Redfish JSON', () => {
    expect(parseJsonBody(bytes('{"Id":"1","Members":[{"@odata.id":"/redfish/v1/Systems/1"}]}'), 64)).toEqual({
      Id: '1',
      Members: [{ '@odata.id': '/redfish/v1/Systems/1' }],
    });
  });

  it('refuses nesting deeper than the cap, however deep the body goes', () => {
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    expect(() => parseJsonBody(bytes(deep), 64)).toThrow(/deeper than 64/);
    const deeper = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expect(() => parseJsonBody(bytes(deeper), 64)).toThrow(/deeper than 64/);
  });

  it('holds the cap exactly, whether the body has few brackets or many shallow ones', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(parseJsonBody(bytes(nested(8)), 8)).toEqual(JSON.parse(nested(8)));
    expect(() => parseJsonBody(bytes(nested(9)), 8)).toThrow(/deeper than 8/);
    const wide = JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ i, tags: [i] })));
    expect(parseJsonBody(bytes(wide), 3)).toEqual(JSON.parse(wide));
    expect(() => parseJsonBody(bytes(`[${wide}]`), 3)).toThrow(/deeper than 3/);
  });

  it('does not count brackets inside strings as nesting', () => {
    const text = JSON.stringify({ Description: '[[[[[[[[[[{{{{{{{{{{ \\" [[[[' });
    expect(parseJsonBody(bytes(text), 2)).toEqual(JSON.parse(text));
  });

  it('counts nesting after strings that end in escaped backslashes', () => {
    // "a\\\\" ends with two escaped backslashes: the quote after them closes the string.
    const text = `{"a":"x\\\\\\\\","b":[[[1]]],"c":"\\"[[[["}`;
    expect(JSON.parse(text)).toEqual({ a: 'x\\\\', b: [[[1]]], c: '"[[[[' });
    expect(() => parseJsonBody(bytes(text), 3)).toThrow(/deeper than 3/);
    expect(parseJsonBody(bytes(text), 4)).toEqual(JSON.parse(text));
  });

  it('keeps __proto__ and constructor keys as inert data', () => {
    const body = parseJsonBody(bytes('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'), 64) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(body, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
  });

  it('names HTML, truncated and empty bodies', () => {
    expect(() => parseJsonBody(bytes('<html><body>Login</body></html>'), 64)).toThrow(/HTML where JSON was expected/);
    expect(() => parseJsonBody(bytes('{"Id": "1", "Na'), 64)).toThrow(/invalid JSON/);
    expect(() => parseJsonBody(bytes('  '), 64)).toThrow(/empty body/);
  });
});
