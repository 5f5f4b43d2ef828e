/**
 * Secrets never reach an error message or a log line. Two layers: values known to be secret (the Slack webhook,
 * whatever was put in ADMIN_TOKEN_HASHES) are registered at boot and replaced wherever they appear; shapes that are
 * secret wherever they come from (a password in a URL, an admin token, a Slack webhook path) are masked by pattern.
 */

/** A field error's value when the value itself is a secret: error lines show its length, never its text. */
export class RedactedValue {
  constructor(readonly length: number) {}

  toJSON(): string {
    return `(hidden, ${this.length} characters)`;
  }
}

export function redactedValue(value: unknown): RedactedValue {
  return new RedactedValue(typeof value === 'string' ? value.length : 0);
}

const MASK = '[redacted]';
const known = new Set<string>();

/** Registers a value that must never be printed (ignored when too short to mask safely). */
export function registerSecret(value: string | undefined): void {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length >= 8) known.add(trimmed);
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void {
  known.clear();
}

const PATTERNS: [RegExp, string][] = [
  // user:password@ in any URL; the user name stays, it helps to find the entry.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:"']*):[^\s/@"']*@/gi, `$1:${MASK}@`],
  // Slack incoming webhooks: the path is the credential.
  [/(hooks\.slack(?:-gov)?\.com\/)[^\s"'<>]+/gi, `$1${MASK}`],
  // Admin tokens as `npm run admin-token` prints them.
  [/\bsp_[A-Za-z0-9_-]{16,}/g, `sp_${MASK}`],
  // Bearer credentials in a quoted header.
  [/(bearer\s+)[^\s"',;]+/gi, `$1${MASK}`],
];

/** The text with every registered secret and every secret-shaped substring masked. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(MASK);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A URL with its password masked (for error messages that must name the URL). */
export function withoutPassword(url: string): string {
  return redactSecrets(url);
}
