/** Failure reasons grouped into a few classes: a bounded metric label (never the raw error text or a URL). */
export const REASON_CLASSES = [
  'none',
  'timeout',
  'http_4xx',
  'http_5xx',
  'http_other',
  'connection',
  'dns',
  'tls',
  'redirects',
  'blocked',
  'other',
] as const;
export type ReasonClass = (typeof REASON_CLASSES)[number];

/** The class of a probe's failure reason (as HttpProber words them), 'none' for a success. */
export function reasonClass(error: string | undefined): ReasonClass {
  if (error === undefined || error === '') return 'none';
  const status = /^HTTP (\d{3})$/.exec(error)?.[1];
  if (status !== undefined)
    return status.startsWith('5') ? 'http_5xx' : status.startsWith('4') ? 'http_4xx' : 'http_other';
  if (/^timeout\b|ETIMEDOUT|ESOCKETTIMEDOUT/.test(error)) return 'timeout';
  if (/^(ENOTFOUND|EAI_AGAIN|ENODATA|ESERVFAIL)$/.test(error)) return 'dns';
  if (/^(ECONNREFUSED|ECONNRESET|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|EPIPE|EPROTO)$/.test(error)) return 'connection';
  if (/certificate|TLS|SSL/i.test(error)) return 'tls';
  if (/redirect/i.test(error)) return 'redirects';
  if (/^blocked target/.test(error)) return 'blocked';
  return 'other';
}

/** Probe codes in words: what a visitor reads (the code stays next to it for operators). */
const CODE_WORDS: Record<string, string> = {
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  ENODATA: 'DNS lookup found no address',
  ESERVFAIL: 'DNS server failure',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ESOCKETTIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed while sending',
  EPROTO: 'protocol error',
};

const HTTP_WORDS: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  408: 'request timeout',
  410: 'gone',
  429: 'too many requests',
  500: 'internal server error',
  501: 'not implemented',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/**
 * A probe's failure reason in plain words ("ECONNREFUSED" → "connection refused", "HTTP 503" → "service
 * unavailable (HTTP 503)", "blocked target 10.0.0.5" → "blocked by policy"); text that is already words is kept.
 * The one wording table: the page, the API's `reason` field and the alerts all use it.
 */
export function describeFailure(error: string): string {
  const words = CODE_WORDS[error];
  if (words !== undefined) return words;
  const status = /^HTTP (\d{3})$/.exec(error)?.[1];
  if (status !== undefined) {
    const code = Number(status);
    const known = HTTP_WORDS[code];
    const family = code >= 500 ? 'server error' : code >= 400 ? 'client error' : 'unexpected status';
    return `${known ?? family} (HTTP ${code})`;
  }
  const timeout = /^timeout after (\d+)ms$/.exec(error)?.[1];
  if (timeout !== undefined) return `no answer within ${formatMs(Number(timeout))}`;
  if (/^blocked target\b/.test(error)) return 'blocked by policy';
  return error;
}

/** "connection refused (ECONNREFUSED)": the words with the code, once when they are the same. */
export function failureWithCode(error: string): string {
  const words = describeFailure(error);
  return words === error || error.startsWith('timeout after') || words.includes(error) ? words : `${words} (${error})`;
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
