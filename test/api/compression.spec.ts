import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createTestApp, type TestApp } from '../support/in-process-app.js';

// Paused services: nothing is checked, so the snapshot changes only on the 15 s idle rebuild.
const SERVICES_YAML = `services:\n${Array.from(
  { length: 30 },
  (_, i) =>
    `  - { id: svc-${i}, name: "Service ${i}", group: "Group ${i % 3}", url: "http://127.0.0.1:9/${i}", paused: true }`,
).join('\n')}\n`;

const decode: Record<string, (body: Buffer) => Buffer> = {
  br: brotliDecompressSync,
  gzip: gunzipSync,
  none: (body) => body,
};
const sha1 = (body: Buffer) => `"${createHash('sha1').update(body).digest('base64url')}"`;

describe('compressed status documents (/api/status, /api/history, /api/v2)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ servicesYaml: SERVICES_YAML });
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.inject({ method: 'GET', url, headers });

  /** The identity and one coded response of the same snapshot (retried if a rebuild fell in between). */
  async function pair(url: string, acceptEncoding: string) {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const identity = await get(url);
      const coded = await get(url, { 'accept-encoding': acceptEncoding });
      const identityEtag = identity.headers.etag as string;
      if ((coded.headers.etag as string).startsWith(identityEtag.slice(0, -1))) return { identity, coded };
    }
    throw new Error(`${url}: the snapshot changed between every pair of requests`);
  }

  it.each([
    ['/api/status', 'br', 'br'],
    ['/api/status', 'gzip, deflate', 'gzip'],
    ['/api/history', 'gzip, deflate, br', 'br'],
    ['/api/v2/summary.json', 'br;q=0, gzip', 'gzip'],
    ['/api/v2/components.json', 'br', 'br'],
  ])('%s with Accept-Encoding %j: %s bytes that decode to the identity document', async (url, accept, coding) => {
    const { identity, coded } = await pair(url, accept);
    expect(identity.rawPayload.length).toBeGreaterThan(1024);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers.vary).toBe('Accept-Encoding');
    expect(identity.headers.etag).toBe(sha1(identity.rawPayload));
    expect({
      encoding: coded.headers['content-encoding'],
      vary: coded.headers.vary,
      etag: coded.headers.etag,
      cacheControl: coded.headers['cache-control'],
      contentType: coded.headers['content-type'],
      contentLength: Number(coded.headers['content-length']),
    }).toEqual({
      encoding: coding,
      vary: 'Accept-Encoding',
      etag: `${(identity.headers.etag as string).slice(0, -1)}-${coding}"`,
      cacheControl: identity.headers['cache-control'],
      contentType: 'application/json; charset=utf-8',
      contentLength: coded.rawPayload.length,
    });
    expect(coded.rawPayload.length).toBeLessThan(identity.rawPayload.length / 3);
    expect(decode[coding]!(coded.rawPayload).equals(identity.rawPayload)).toBe(true);
  });

  it('keeps the Cache-Control of the status documents', async () => {
    const response = await get('/api/status', { 'accept-encoding': 'br' });
    expect(response.headers['cache-control']).toMatch(
      /^public, max-age=\d+, s-maxage=\d+, stale-while-revalidate=30, stale-if-error=86400$/,
    );
  });

  it('answers 304 only to the ETag of the representation it would send (weak form too), with that ETag', async () => {
    const { identity, coded } = await pair('/api/status', 'br');
    const brEtag = coded.headers.etag as string;
    const identityEtag = identity.headers.etag as string;
    for (const header of [brEtag, `W/${brEtag}`, `"other", W/${brEtag}`]) {
      const again = await get('/api/status', { 'accept-encoding': 'br', 'if-none-match': header });
      expect({ header, status: again.statusCode, etag: again.headers.etag, body: again.rawPayload.length }).toEqual({
        header,
        status: 304,
        etag: brEtag,
        body: 0,
      });
    }
    // A client that holds the identity copy and now accepts br gets the br representation, and vice versa.
    const other = await get('/api/status', { 'accept-encoding': 'br', 'if-none-match': identityEtag });
    expect(other.statusCode).toBe(200);
    const plain = await get('/api/status', { 'if-none-match': brEtag });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('sends a small document as is, whatever the client accepts', async () => {
    const response = await get('/api/v2/status.json', { 'accept-encoding': 'br, gzip' });
    expect(response.rawPayload.length).toBeLessThan(1024);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.headers.etag).toBe(sha1(response.rawPayload));
    expect(response.json<{ status: unknown }>().status).toBeDefined();
  });
});
