import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialsFileError,
  credentialsPath,
  readCredentials,
  readCredentialsFile,
  writeCredentials,
} from '../../src/maas/credentials.ts';
import { TargetError } from '../../src/sweep/target.ts';
import { rejection } from './helpers.ts';

const token = { consumerKey: 'NodeConsumerAbc', tokenKey: 'NodeTokenDef', tokenSecret: 'NodeSecretGhi123456' };
const url = 'http://maas.test:5240/MAAS';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maas-credentials-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeRaw(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text, { mode: 0o600 });
  return file;
}


describe('credentials files', () => {
  it('writes MAAS reporting YAML that reads back as the same token', async () => {
    const file = await writeCredentials(dir, url, 'abc123', token);
    expect(file).toBe(path.join(dir, 'abc123.yaml'));
    expect(parse(await readFile(file, 'utf8'))).toEqual({
      reporting: {
        maas: {
          consumer_key: 'NodeConsumerAbc',
          token_key: 'NodeTokenDef',
          token_secret: 'NodeSecretGhi123456',
          endpoint: 'http://maas.test:5240/MAAS/metadata/status/abc123',
        },
      },
    });
    expect(await readCredentials(dir, 'abc123')).toEqual({
      ...token,
      systemId: 'abc123',
      endpoint: 'http://maas.test:5240/MAAS/metadata/status/abc123',
      file,
    });
  });

  it('creates the file with mode 0600 and leaves no temporary file behind', async () => {
    await writeCredentials(path.join(dir, 'new'), url, 'abc123', token);
    await writeCredentials(path.join(dir, 'new'), url, 'abc123', { ...token, tokenSecret: 'Rotated987' });
    expect((await stat(path.join(dir, 'new', 'abc123.yaml'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'new'))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.join(dir, 'new'))).toEqual(['abc123.yaml']);
    expect((await readCredentials(path.join(dir, 'new'), 'abc123'))?.tokenSecret).toBe('Rotated987');
  });

  it('reads nothing when a machine has no file', async () => {
    expect(await readCredentials(dir, 'nothere')).toBeUndefined();
  });

  it('refuses a file other users can read, like ssh does with a private key', async () => {
    const file = await writeCredentials(dir, url, 'abc123', token);
    await chmod(file, 0o644);
    const error = await rejection(readCredentialsFile(file), CredentialsFileError);
    expect(error.message).toContain('chmod 600');
    expect(error.message).toContain(file);
  });

  it('names the file and the missing field, never the secret', async () => {
    const file = await writeRaw(
      'abc123.yaml',
      'reporting:\n  maas:\n    consumer_key: NodeConsumerAbc\n    token_secret: NodeSecretGhi123456\n    endpoint: http://maas.test:5240/MAAS/metadata/status/abc123\n',
    );
    const error = await rejection(readCredentialsFile(file), CredentialsFileError);
    expect(error).toBeInstanceOf(TargetError);
    expect(error.field).toBe('reporting.maas.token_key');
    expect(error.message).toContain(file);
    expect(error.message).toContain('reporting.maas.token_key');
    expect(error.message).not.toContain('NodeSecretGhi123456');
  });

  it('names a malformed token secret without quoting it', async () => {
    const file = await writeRaw(
      'abc123.yaml',
      'reporting:\n  maas:\n    consumer_key: a\n    token_key: b\n    token_secret: "has spaces inside"\n    endpoint: http://maas.test:5240/MAAS/metadata/status/abc123\n',
    );
    const error = await rejection(readCredentialsFile(file), CredentialsFileError);
    expect(error.field).toBe('reporting.maas.token_secret');
    expect(error.message).not.toContain('has spaces inside');
  });

  it('refuses an endpoint that belongs to another machine', async () => {
    const file = await writeRaw(
      'abc123.yaml',
      'reporting:\n  maas:\n    consumer_key: a\n    token_key: b\n    token_secret: c\n    endpoint: http://maas.test:5240/MAAS/metadata/status/zzz999\n',
    );
    const error = await rejection(readCredentialsFile(file), CredentialsFileError);
    expect(error.field).toBe('reporting.maas.endpoint');
    expect(error.message).toContain('/metadata/status/abc123');
  });

  it('refuses a file without the reporting.maas mapping, and YAML it cannot parse, without quoting lines', async () => {
    const missing = await rejection(readCredentialsFile(await writeRaw('abc123.yaml', 'datasource: {}\n')), CredentialsFileError);
    expect(missing.field).toBe('reporting');
    const broken = await rejection(readCredentialsFile(await writeRaw('def456.yaml', 'reporting: {maas: [token_secret: "Leaky123\n')), CredentialsFileError);
    expect(broken.message).toMatch(/not valid YAML/);
    expect(broken.message).not.toContain('Leaky123');
  });

  it('refuses system ids that could escape the directory', () => {
    expect(() => credentialsPath(dir, '../etc/passwd')).toThrow(TypeError);
  });
});
