// HTTP/1.1 framing of BMC answers, byte by byte: however the bytes arrive, one answer is read the
// same way, and an answer that could be framed two ways is refused.
import { describe, expect, it } from 'vitest';
import { HttpFramingError, ResponseParser, requestHead, type ParsedResponse } from '../../src/redfish/http1.ts';

const limits = { maxBodyBytes: 1_000 };

// Feeds `wire` in pieces of `size` bytes and returns the answer (or what the end of input gives).
function parse(wire: string | Buffer, size = Infinity, options = limits): ParsedResponse | undefined {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  const parser = new ResponseParser(options);
  for (let at = 0; at < bytes.length; at += size) {
    const answer = parser.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
    if (answer) return answer;
  }
  return parser.end();
}

// Every split of `wire` into two pieces gives the same answer.
function everySplit(wire: string): ParsedResponse[] {
  const bytes = Buffer.from(wire, 'latin1');
  const answers: ParsedResponse[] = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const parser = new ResponseParser(limits);
    const answer = parser.push(bytes.subarray(0, cut)) ?? parser.push(bytes.subarray(cut)) ?? parser.end();
    answers.push(answer!);
  }
  return answers;
}

const simple = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nETag: "7"\r\n\r\n{"Id":"1"}\n';
const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=x\r\n{"Id\r\nA\r\n":"1","N":\r\n3\r\n2}\n\r\n0\r\nX-Trailer: t\r\n\r\n';

describe('reading answers', () => {
  it('reads a Content-Length answer the same however the bytes are split', () => {
    for (const answer of [...everySplit(simple), parse(simple, 1)!]) {
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toBe('{"Id":"1"}\n');
      expect(answer.headers).toMatchObject({ 'content-type': 'application/json', etag: '"7"' });
      expect(answer.keepAlive).toBe(true);
    }
  });

  it('reads a chunked answer with extensions and trailers the same however the bytes are split', () => {
    for (const answer of [...everySplit(chunked), parse(chunked, 1)!]) {
      expect(answer.body.toString()).toBe('{"Id":"1","N":2}\n');
      expect(answer.keepAlive).toBe(true);
    }
  });

  it('skips 100 Continue and reads the answer after it', () => {
    const answer = parse(`HTTP/1.1 100 Continue\r\n\r\n${simple}`, 7)!;
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('{"Id":"1"}\n');
  });

  it('accepts bare LF line ends from lax web servers', () => {
    const answer = parse('HTTP/1.1 204 No Content\nServer: x\n\n')!;
    expect(answer).toMatchObject({ status: 204, headers: { server: 'x' }, keepAlive: true });
  });

  it('reads an answer without length to the end of the connection, which is then not reused', () => {
    const parser = new ResponseParser(limits);
    expect(parser.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\n{"a":'))).toBeUndefined();
    expect(parser.push(Buffer.from('1}'))).toBeUndefined();
    expect(parser.end()).toMatchObject({ status: 200, keepAlive: false });
  });

  it('gives no answer when the connection ends mid-body', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{"cut":')).toBeUndefined();
    expect(parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":')).toBeUndefined();
  });

  it('has no body for 304 and 204, whatever the headers say', () => {
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nETag: "7"\r\n\r\n')).toMatchObject({ status: 304, keepAlive: true });
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n')!.body.length).toBe(0);
  });

  it.each([
    ['Connection: close', 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}', false],
    ['HTTP/1.0', 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}', false],
    ['HTTP/1.0 with keep-alive', 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n{}', true],
    ['bytes after the answer', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n', false],
    ['a length beside chunked', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', false],
  ])('does not reuse the connection after %s', (_name, wire, keepAlive) => {
    expect(parse(wire)!.keepAlive).toBe(keepAlive);
  });

  it('keeps repeated headers, joined, and Set-Cookie as a list', () => {
    const answer = parse('HTTP/1.1 200 OK\r\nLink: <a>\r\nLink: <b>\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n')!;
    expect(answer.headers.link).toBe('<a>, <b>');
    expect(answer.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });
});

describe('refusing answers that could be read two ways or break a limit', () => {
  it.each([
    ['a malformed status line', 'HTTP/2 200 OK\r\n\r\n', /malformed status line/],
    ['a status line without a code', 'HTTP/1.1 OK\r\n\r\n', /malformed status line/],
    ['a folded header', 'HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n', /folded/],
    ['a header without a name', 'HTTP/1.1 200 OK\r\n: b\r\n\r\n', /malformed header/],
    ['a space before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n{}', /malformed header/],
    ['a non-numeric Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\n{}', /invalid Content-Length/],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', /invalid Content-Length/],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length/],
    ['a malformed chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /malformed chunk size/],
    ['a chunk longer than declared', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}}\r\n0\r\n\r\n', /longer than its declared size/],
    ['an upgrade nobody asked for', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', /101/],
  ])('refuses %s', (_name, wire, message) => {
    expect(() => parse(wire)).toThrow(message);
    expect(() => parse(wire, 1)).toThrow(HttpFramingError);
  });

  it('refuses a declared body over the limit before reading it', () => {
    expect(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n')).toThrow('body larger than 1000 bytes refused');
  });

  it('refuses an undeclared or chunked body once it passes the limit', () => {
    const big = 'x'.repeat(600);
    expect(() => parse(`HTTP/1.1 200 OK\r\n\r\n${big}${big}`, 100)).toThrow('body larger than 1000 bytes refused');
    expect(() => parse(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${big}\r\n258\r\n${big}\r\n0\r\n\r\n`, 100)).toThrow(
      'body larger than 1000 bytes refused',
    );
  });

  it('refuses a head that never ends', () => {
    const parser = new ResponseParser({ maxBodyBytes: 1_000, maxHeaderBytes: 256 });
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\n'));
    expect(() => {
      for (let i = 0; i < 100; i++) parser.push(Buffer.from('X-Filler: yes\r\n'));
    }).toThrow('response head larger than 256 bytes');
  });
});

describe('the request head', () => {
  it('is one request line, the headers in order, and an empty line', () => {
    expect(requestHead('GET', '/redfish/v1/Systems?$expand=.($levels=1)', [['host', 'bmc:8443'], ['accept', 'application/json']])).toBe(
      'GET /redfish/v1/Systems?$expand=.($levels=1) HTTP/1.1\r\nhost: bmc:8443\r\naccept: application/json\r\n\r\n',
    );
  });

  it('refuses a header value from the BMC that would end the line (a token or ETag carrying CRLF)', () => {
    expect(() => requestHead('GET', '/redfish/v1', [['if-none-match', '"1"\r\nx-injected: yes']])).toThrow(/if-none-match holds a control character/);
    expect(() => requestHead('GET', '/redfish/v1 HTTP/1.1\r\nx: y', [])).toThrow(/is not sendable/);
  });
});
