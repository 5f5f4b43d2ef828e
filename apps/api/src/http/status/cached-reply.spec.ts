import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { CachedDocument } from '@app/monitoring';
import { encoded, etagOf, negotiate, noneMatch } from './cached-reply.js';

function doc(text: string): CachedDocument<unknown> {
  const body = Buffer.from(text);
  return { data: null, body, etag: `"${createHash('sha1').update(body).digest('base64url')}"`, builtAt: 0 };
}

describe('negotiate (Accept-Encoding)', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['deflate', 'identity'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['br;q=0.8, gzip;q=0.8', 'br'],
    ['gzip;q=1.0, br;q=0.9', 'gzip'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
    ['br;q=0, *', 'gzip'],
    ['gzip, *;q=0', 'gzip'],
    ['br, br;q=0', 'identity'],
    ['identity', 'identity'],
    ['gzip;q=garbage', 'gzip'],
    [['gzip;q=0.1', 'br;q=0.2'], 'br'],
  ] as const)('%j → %s', (header, coding) => {
    expect(negotiate(header as string | string[] | undefined)).toBe(coding);
  });
});

describe('representation ETags', () => {
  it('gives each coding its own ETag inside the quotes, which the weak comparison matches only for that coding', () => {
    const etag = '"abc"';
    expect([etagOf(etag, 'identity'), etagOf(etag, 'gzip'), etagOf(etag, 'br')]).toEqual([
      '"abc"',
      '"abc-gzip"',
      '"abc-br"',
    ]);
    expect(noneMatch('W/"abc-br"', etagOf(etag, 'br'))).toBe(true);
    expect(noneMatch('"x", W/"abc-br"', etagOf(etag, 'br'))).toBe(true);
    expect(noneMatch('"abc"', etagOf(etag, 'br'))).toBe(false);
    expect(noneMatch('W/"abc-br"', etagOf(etag, 'gzip'))).toBe(false);
  });
});

describe('encoded (compressed representations)', () => {
  const json = JSON.stringify({ services: Array.from({ length: 200 }, (_, i) => ({ id: `svc-${i}`, ok: true })) });

  it('decodes to the identity bytes in both codings and is much smaller', async () => {
    const document = doc(json);
    const br = await encoded(document, 'br');
    const gz = await encoded(document, 'gzip');
    expect(brotliDecompressSync(br).equals(document.body)).toBe(true);
    expect(gunzipSync(gz).equals(document.body)).toBe(true);
    expect(br.length).toBeLessThan(document.body.length / 5);
    expect(gz.length).toBeLessThan(document.body.length / 5);
  });

  it('compresses a document once per coding: later hits get the very same bytes', async () => {
    const document = doc(json);
    const first = encoded(document, 'br');
    const concurrent = encoded(document, 'br');
    expect(concurrent).toBe(first);
    const bytes = await first;
    expect(await encoded(document, 'br')).toBe(bytes);
    expect(await encoded(document, 'gzip')).not.toBe(bytes);
  });

  it('compresses a new document (a new snapshot) anew', async () => {
    const before = await encoded(doc(json), 'br');
    const after = await encoded(doc(json.replace('svc-0', 'svc-X')), 'br');
    expect(brotliDecompressSync(after).toString()).toContain('svc-X');
    expect(after).not.toBe(before);
  });
});
