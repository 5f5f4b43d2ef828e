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
