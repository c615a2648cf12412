// Request bodies: multipart/form-data (busboy) and urlencoded forms, both capped in size, both
// turned into fields (repeatable) and files. A malformed or oversized body is a 400/413, never a
// crash or an unbounded buffer.
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { RegistryError } from './store.ts';

/** A parsed form: each field's values in order, and file parts by field name. */
export interface Form {
  readonly fields: Readonly<Record<string, readonly string[]>>;
  readonly files: Readonly<Record<string, { readonly filename: string; readonly data: Buffer }>>;
}

/** Limits on one request body. */
export interface BodyLimits {
  /** Largest body, and largest file part. */
  readonly maxBytes: number;
}

const EMPTY: Form = { fields: {}, files: {} };

/** Reads a request's form body (query fields are not included). */
export async function readForm(request: IncomingMessage, limits: BodyLimits): Promise<Form> {
  const type = request.headers['content-type'] ?? '';
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw new RegistryError(413, `request body larger than ${limits.maxBytes} bytes`);
  if (/^multipart\/form-data/i.test(type)) return readMultipart(request, limits);
  const body = await readBody(request, limits.maxBytes);
  if (body.length === 0) return EMPTY;
  if (/^application\/x-www-form-urlencoded/i.test(type) || type === '') return fieldsOf(new URLSearchParams(body.toString('utf8')));
  throw new RegistryError(415, `unsupported content type ${JSON.stringify(type.slice(0, 80))}; send multipart/form-data or a urlencoded form`);
}

/** The fields of a query string or urlencoded body. */
export function fieldsOf(params: URLSearchParams): Form {
  const fields: Record<string, string[]> = Object.create(null);
  for (const [key, value] of params) (fields[key] ??= []).push(value);
  return { fields, files: {} };
}

function readMultipart(request: IncomingMessage, limits: BodyLimits): Promise<Form> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string[]> = Object.create(null);
    const files: Record<string, { filename: string; data: Buffer }> = Object.create(null);
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        limits: { fileSize: limits.maxBytes, files: 8, fields: 200, fieldSize: 1024 * 1024, parts: 256 },
      });
    } catch (error) {
      reject(new RegistryError(400, `malformed multipart body: ${(error as Error).message}`));
      return;
    }
    let failed = false;
    let received = 0;
    const fail = (error: RegistryError) => {
      if (failed) return;
      failed = true;
      request.unpipe(parser);
      request.resume();
      reject(error);
    };
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.maxBytes) fail(new RegistryError(413, `request body larger than ${limits.maxBytes} bytes`));
    });
    let parts = 0;
    parser.on('field', (name, value, info) => {
      parts++;
      if (info.valueTruncated) return fail(new RegistryError(413, `field ${name} is too large`));
      (fields[name] ??= []).push(isBase64(info.encoding) ? Buffer.from(value, 'base64').toString('utf8') : value);
    });
    parser.on('file', (name, stream, info) => {
      parts++;
      const chunks: Buffer[] = [];
      // A body cut off inside a file part errors the part's stream, not only the parser.
      stream.on('error', (error: Error) => fail(new RegistryError(400, `malformed multipart body: ${error.message}`)));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(new RegistryError(413, `file part ${name} is larger than ${limits.maxBytes} bytes`)));
      stream.on('end', () => {
        const data = Buffer.concat(chunks);
        files[name] = { filename: info.filename ?? '', data: isBase64(info.encoding) ? Buffer.from(data.toString('latin1'), 'base64') : data };
      });
    });
    parser.on('partsLimit', () => fail(new RegistryError(413, 'too many parts')));
    parser.on('filesLimit', () => fail(new RegistryError(413, 'too many files')));
    parser.on('fieldsLimit', () => fail(new RegistryError(413, 'too many fields')));
    parser.on('error', (error: Error) => fail(new RegistryError(400, `malformed multipart body: ${error.message}`)));
    parser.on('close', () => {
      if (failed) return;
      if (parts === 0) fail(new RegistryError(400, 'malformed multipart body: no parts'));
      else resolve({ fields, files });
    });
    request.on('error', (error) => fail(new RegistryError(400, `request aborted: ${error.message}`)));
    request.pipe(parser);
  });
}

// MAAS's CLI sends every part base64-encoded (Content-Transfer-Encoding: base64), which Django
// decodes; so does the registry.
function isBase64(encoding: string | undefined): boolean {
  return encoding?.toLowerCase() === 'base64';
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners('data');
        request.resume();
        reject(new RegistryError(413, `request body larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', (error) => reject(new RegistryError(400, `request aborted: ${error.message}`)));
  });
}
