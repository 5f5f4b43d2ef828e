import { reasonClass } from './reason-class.js';

describe('reasonClass', () => {
  it.each([
    [undefined, 'none'],
    ['HTTP 503', 'http_5xx'],
    ['HTTP 404', 'http_4xx'],
    ['HTTP 302', 'http_other'],
    ['timeout after 800ms', 'timeout'],
    ['ENOTFOUND', 'dns'],
    ['ECONNREFUSED', 'connection'],
    ['ECONNRESET', 'connection'],
    ['certificate has expired', 'tls'],
    ['self-signed certificate', 'tls'],
    ['too many redirects (max 5)', 'redirects'],
    ['blocked target 169.254.169.254', 'blocked'],
    ['something nobody expected https://x.example/?token=secret', 'other'],
  ])('%s -> %s', (error, expected) => {
    expect(reasonClass(error)).toBe(expected);
  });
});
