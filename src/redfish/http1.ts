// HTTP/1.1 for BMC exchanges: the request head we send and an incremental parser for the answer.
// Pure (bytes in, a response out), so framing is tested byte by byte without sockets.
//
// Why not node:http: a sweep makes ~50 requests per BMC, and node:http's client machinery
// (ClientRequest, the agent's socket bookkeeping, stream events) cost ~110 µs of CPU per request
// where the exchange itself needs ~40 µs (bench/fleet.ts and the measurements in DEVELOPERS.md).
// A BMC exchange needs little of HTTP: one request at a time per connection, no upgrades, no
// compression, small bodies. The parser is strict where framing is at stake (a hostile BMC must not
// make two answers out of one) and refuses rather than guesses.

/** Raised for an answer that is not well-formed HTTP/1.x, or breaks a size limit. */
export class HttpFramingError extends Error {
  override readonly name = 'HttpFramingError';
}

/** A complete answer. */
export interface ParsedResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", " (set-cookie kept as a list). */
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
  /** Whether the connection may carry another request. */
  readonly keepAlive: boolean;
}

/** Limits of one parse. */
export interface ParseLimits {
  readonly maxBodyBytes: number;
  /** @default 65536 */
  readonly maxHeaderBytes?: number;
}

const MAX_HEADER_BYTES = 65_536;
const MAX_CHUNK_LINE = 1_024;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
// What node:http also refuses in a header value: controls other than tab, and anything past Latin-1.
const FORBIDDEN_IN_HEADER = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Header lines, checked. Values that could end the line or the head are refused: tokens and ETags
 * come from the BMC and are sent back to it.
 */
export function headerLines(headers: readonly (readonly [string, string])[]): string {
  let lines = '';
  for (const [name, value] of headers) {
    if (FORBIDDEN_IN_HEADER.test(value)) throw new HttpFramingError(`header ${name} holds a control character or non-Latin-1 text; not sent`);
    lines += `${name}: ${value}\r\n`;
  }
  return lines;
}

/** The request head: request line, the `fixed` lines (from `headerLines`), then `headers`. */
export function requestHead(method: string, path: string, headers: readonly (readonly [string, string])[], fixed = ''): string {
  if (!/^[\x21-\x7e]+$/.test(path)) throw new HttpFramingError(`request path ${JSON.stringify(path.slice(0, 80))} is not sendable`);
  return `${method} ${path} HTTP/1.1\r\n${fixed}${headerLines(headers)}\r\n`;
}

type Framing = { readonly kind: 'none' } | { readonly kind: 'length'; remaining: number } | { readonly kind: 'chunked' } | { readonly kind: 'close' };

/**
 * Parses one answer from the bytes of a connection, as they come. `push` returns the response once
 * complete (and any bytes after it in `leftover`, which makes the connection unusable: we never
 * pipeline). A close-delimited body completes at `end()`.
 */
export class ResponseParser {
  readonly #maxBody: number;
  readonly #maxHeader: number;
  #pending: Buffer | undefined;
  #status = 0;
  #headers: Record<string, string | string[]> = {};
  #keepAlive = false;
  #framing: Framing | undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  // Chunked state: reading a size line, chunk data (with `#chunkLeft` bytes to go), the CRLF
  // after it, or trailers.
  #chunkState: 'size' | 'data' | 'data-end' | 'trailers' = 'size';
  #chunkLeft = 0;
  /** Bytes received after the answer was complete. */
  leftover = 0;
  /** Whether any byte of the answer has arrived. */
  started = false;

  constructor(limits: ParseLimits) {
    this.#maxBody = limits.maxBodyBytes;
    this.#maxHeader = limits.maxHeaderBytes ?? MAX_HEADER_BYTES;
  }

  /** Feeds bytes, which may be reused once this returns (what is kept is copied); returns the answer when these bytes complete it. */
  push(data: Buffer): ParsedResponse | undefined {
    if (data.length > 0) this.started = true;
    const joined = this.#pending !== undefined;
    let input = joined ? Buffer.concat([this.#pending!, data]) : data;
    this.#pending = undefined;
    while (this.#framing === undefined) {
      const end = headEnd(input);
      if (end === -1) {
        if (input.length > this.#maxHeader) throw new HttpFramingError(`response head larger than ${this.#maxHeader} bytes`);
        this.#pending = joined ? input : Buffer.from(input);
        return undefined;
      }
      if (end.head > this.#maxHeader) throw new HttpFramingError(`response head larger than ${this.#maxHeader} bytes`);
      const informational = this.#readHead(input.toString('latin1', 0, end.head));
      input = input.subarray(end.next);
      if (informational) continue; // 100 Continue and the like: the real answer follows
    }
    return this.#body(input);
  }

  /** The connection ended: completes a close-delimited body, else the answer is cut short. */
  end(): ParsedResponse | undefined {
    if (this.#framing?.kind === 'close') return this.#complete();
    return undefined;
  }

  #readHead(head: string): boolean {
    // By index, not by line strings: this runs for every answer, and a split, a regex and a
    // trimmed copy per line were most of the parser's CPU and allocation. Only names and values
    // become strings.
    let lineEnd = head.indexOf('\n');
    const statusLine = head.slice(0, lineEnd === -1 ? head.length : endOfLine(head, 0, lineEnd));
    const match = STATUS_LINE.exec(statusLine);
    if (!match) throw new HttpFramingError(`malformed status line ${JSON.stringify(statusLine.slice(0, 80))}`);
    const status = Number(match[2]);
    const headers: Record<string, string | string[]> = {};
    while (lineEnd !== -1) {
      const start = lineEnd + 1;
      lineEnd = head.indexOf('\n', start);
      const end = endOfLine(head, start, lineEnd === -1 ? head.length : lineEnd);
      if (end === start) continue;
      const first = head.charCodeAt(start);
      if (first === 0x20 || first === 0x09) throw new HttpFramingError('folded header line (obsolete line folding is refused)');
      const colon = head.indexOf(':', start);
      if (colon === -1 || colon >= end || !isToken(head, start, colon)) throw new HttpFramingError(`malformed header line ${JSON.stringify(head.slice(start, Math.min(end, start + 80)))}`);
      const key = lowerName(head.slice(start, colon));
      const value = trimmed(head, colon + 1, end);
      const before = headers[key];
      if (key === 'set-cookie') headers[key] = [...((before as string[] | undefined) ?? []), value];
      else headers[key] = before === undefined ? value : `${before as string}, ${value}`;
    }
    if (status >= 100 && status < 200) {
      if (status === 101) throw new HttpFramingError('101 Switching Protocols was not asked for');
      return true;
    }
    this.#status = status;
    this.#headers = headers;
    const connection = tokens(headers.connection);
    this.#framing = this.#framingOf(status, headers);
    // A length beside a transfer coding is how answers get smuggled: the coding wins (below) and
    // the connection is not reused.
    const smuggling = headers['transfer-encoding'] !== undefined && headers['content-length'] !== undefined;
    const persistent = match[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    this.#keepAlive = persistent && !smuggling && this.#framing.kind !== 'close';
    return false;
  }

  #framingOf(status: number, headers: Readonly<Record<string, string | string[]>>): Framing {
    if (status === 204 || status === 304) return { kind: 'none' };
    const encodings = tokens(headers['transfer-encoding']);
    if (encodings.length > 0) {
      return encodings.at(-1) === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
    }
    const declared = headers['content-length'];
    if (declared === undefined) return { kind: 'close' };
    // Repeated identical values ("42, 42") are one length; different ones are refused.
    const values = typeof declared === 'string' && !declared.includes(',') ? [declared] : [...new Set(String(declared).split(',').map((value) => value.trim()))];
    const only = values[0]!;
    if (values.length !== 1 || !/^\d{1,15}$/.test(only)) throw new HttpFramingError(`invalid Content-Length ${JSON.stringify(String(declared).slice(0, 40))}`);
    const length = Number(only);
    if (length > this.#maxBody) throw new HttpFramingError(`body larger than ${this.#maxBody} bytes refused`);
    return length === 0 ? { kind: 'none' } : { kind: 'length', remaining: length };
  }

  #body(input: Buffer): ParsedResponse | undefined {
    const framing = this.#framing!;
    switch (framing.kind) {
      case 'none':
        this.leftover = input.length;
        return this.#complete();
      case 'length': {
        const take = Math.min(framing.remaining, input.length);
        this.#keep(input.subarray(0, take));
        framing.remaining -= take;
        if (framing.remaining > 0) return undefined;
        this.leftover = input.length - take;
        return this.#complete();
      }
      case 'close':
        this.#keep(input);
        return undefined;
      case 'chunked':
        return this.#chunked(input);
    }
  }

  #chunked(input: Buffer): ParsedResponse | undefined {
    let at = 0;
    while (at < input.length) {
      if (this.#chunkState === 'data') {
        const take = Math.min(this.#chunkLeft, input.length - at);
        this.#keep(input.subarray(at, at + take));
        at += take;
        this.#chunkLeft -= take;
        if (this.#chunkLeft > 0) return undefined;
        this.#chunkState = 'data-end';
        continue;
      }
      const newline = input.indexOf(0x0a, at);
      if (newline === -1) {
        if (input.length - at > MAX_CHUNK_LINE) throw new HttpFramingError('chunk size line too long');
        this.#pending = Buffer.from(input.subarray(at));
        return undefined;
      }
      const line = input.toString('latin1', at, newline).replace(/\r$/, '');
      at = newline + 1;
      if (this.#chunkState === 'data-end') {
        if (line !== '') throw new HttpFramingError('chunk data longer than its declared size');
        this.#chunkState = 'size';
      } else if (this.#chunkState === 'size') {
        const size = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/.exec(line);
        if (!size) throw new HttpFramingError(`malformed chunk size ${JSON.stringify(line.slice(0, 40))}`);
        this.#chunkLeft = parseInt(size[1]!, 16);
        this.#chunkState = this.#chunkLeft === 0 ? 'trailers' : 'data';
        if (this.#size + this.#chunkLeft > this.#maxBody) throw new HttpFramingError(`body larger than ${this.#maxBody} bytes refused`);
      } else if (line === '') {
        this.leftover = input.length - at;
        return this.#complete();
      }
    }
    return undefined;
  }

  #keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#size += bytes.length;
    if (this.#size > this.#maxBody) throw new HttpFramingError(`body larger than ${this.#maxBody} bytes refused`);
    this.#chunks.push(Buffer.from(bytes));
  }

  #complete(): ParsedResponse {
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#size);
    return { status: this.#status, headers: this.#headers, body, keepAlive: this.#keepAlive && this.leftover === 0 };
  }
}

// Where the head ends: after the first empty line (CRLF CRLF, or bare LFs from lax servers).
function headEnd(input: Buffer): { head: number; next: number } | -1 {
  for (let from = 0; ; ) {
    const newline = input.indexOf(0x0a, from);
    if (newline === -1) return -1;
    const next = input[newline + 1];
    const head = input[newline - 1] === 0x0d ? newline - 1 : newline;
    if (next === 0x0a) return { head, next: newline + 2 };
    if (next === 0x0d && input[newline + 2] === 0x0a) return { head, next: newline + 3 };
    if (next === undefined || (next === 0x0d && input.length === newline + 2)) return -1;
    from = newline + 1;
  }
}

// Where a line's content ends: before a CR that precedes the LF.
function endOfLine(head: string, start: number, lf: number): number {
  return lf > start && head.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf;
}

// RFC 9110 tchar, as a table.
const TCHAR = new Uint8Array(128);
for (const char of "!#$%&'*+-.^_`|~") TCHAR[char.charCodeAt(0)] = 1;
for (let code = 0x30; code <= 0x39; code++) TCHAR[code] = 1;
for (let code = 0x41; code <= 0x5a; code++) TCHAR[code] = 1;
for (let code = 0x61; code <= 0x7a; code++) TCHAR[code] = 1;

function isToken(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code > 0x7f || TCHAR[code] === 0) return false;
  }
  return true;
}

// A BMC sends the same few header names in every answer: their lower-case forms are kept.
const lowerNames = new Map<string, string>();

function lowerName(name: string): string {
  let lower = lowerNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerNames.size < 256) lowerNames.set(name, lower);
  }
  return lower;
}

// The text between `start` and `end` without surrounding spaces and tabs.
function trimmed(text: string, start: number, end: number): string {
  let from = start;
  let to = end;
  while (from < to && (text.charCodeAt(from) === 0x20 || text.charCodeAt(from) === 0x09)) from++;
  while (to > from && (text.charCodeAt(to - 1) === 0x20 || text.charCodeAt(to - 1) === 0x09)) to--;
  return text.slice(from, to);
}

function tokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = String(value).toLowerCase();
  if (!text.includes(',')) {
    const only = text.trim();
    return only === '' ? [] : [only];
  }
  return text
    .split(',')
    .map((token) => token.trim())
    .filter(Boolean);
}
