import type { AxiosStatic } from 'axios';
import { loadAxios } from '@app/monitoring';
import { OnCallNotifier, type CertificateNotification, type IncidentNotification } from './notifier.js';
import { certificateHeadline, headline, lastErrorText, oneLine, serviceList, sinceText, truncate } from './render.js';

/** Slack Block Kit limits (characters) we stay within; Slack rejects the whole message when one is exceeded. */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  buttonText: 75,
  buttonUrl: 3000,
  fallbackText: 4000,
} as const;

const DEFAULT_TIMEOUT_MS = 5000;

/** Text object of a Block Kit payload. */
export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

/** The Block Kit blocks this notifier emits. */
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'actions'; elements: { type: 'button'; text: SlackText; url: string }[] }
  | { type: 'context'; elements: SlackText[] };

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

/**
 * Escapes the three characters Slack treats as control characters, so `<!channel>` or `<http://evil|click>` in a
 * title or message is shown as typed instead of pinging everyone or rendering a disguised link.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes, then cuts to `max` characters without leaving half an entity (`&am`) at the end. */
export function fitSlack(text: string, max: number): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return escaped;
  const cut = truncate(escaped, max - 1, '');
  return cut.replace(/&[a-z]{0,3}$/, '') + '…';
}

const HEADER_EMOJI: Record<IncidentNotification['transition'], string> = {
  opened: ':red_circle:',
  resolved: ':large_green_circle:',
  update: ':large_blue_circle:',
  reminder: ':hourglass:',
};

/** Green only for a recovery: an incident closed because its service is no longer monitored is not good news. */
function emoji(n: IncidentNotification): string {
  return n.transition === 'resolved' && n.kind === 'auto' && (n.closure === 'removed' || n.closure === 'paused')
    ? ':white_circle:'
    : HEADER_EMOJI[n.transition];
}

function field(label: string, value: string): SlackText {
  const text = `*${label}*\n${fitSlack(oneLine(value) || '—', SLACK_LIMITS.fieldText - label.length - 3)}`;
  return { type: 'mrkdwn', text };
}

/** Only http(s) links become buttons: anything else (javascript:, slack:) could not be trusted to be ours. */
function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** The Block Kit message for one notification; every user-provided string is escaped and cut to Slack's limits. */
export function slackPayload(n: IncidentNotification): SlackPayload {
  const title = headline(n);
  const fields = [
    field('Status', n.status),
    field('Severity', n.severity),
    field('Services', serviceList(n)),
    field('Since', sinceText(n)),
  ];
  if (n.resolvedAt !== null) fields.push(field('Resolved', n.resolvedAt));
  const lastError = lastErrorText(n);
  if (lastError !== null) fields.push(field('Last error', lastError));

  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: fitSlack(`${emoji(n)} ${title}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    { type: 'section', fields },
  ];
  const message = n.message.trim();
  if (message !== '')
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fitSlack(message, SLACK_LIMITS.sectionText) } });
  const link = isWebUrl(n.url) && n.url.length <= SLACK_LIMITS.buttonUrl;
  if (link)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'View incident' }, url: n.url }],
    });

  const fallback = [title, `Services: ${serviceList(n)}`, `Status: ${n.status}`, message, link ? n.url : '']
    .filter((line) => line !== '')
    .join('\n');
  return { text: fitSlack(fallback, SLACK_LIMITS.fallbackText), blocks };
}

/** The Block Kit message for a certificate warning. */
export function slackCertificatePayload(n: CertificateNotification): SlackPayload {
  const title = certificateHeadline(n);
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: fitSlack(`:lock: ${title}`, SLACK_LIMITS.headerText), emoji: true },
    },
    {
      type: 'section',
      fields: [
        field('Service', `${n.serviceName} (${n.serviceId})`),
        field('Checked', n.target),
        field('Expires at', n.expiresAt),
        field('Days left', String(n.daysLeft)),
      ],
    },
  ];
  if (isWebUrl(n.url) && n.url.length <= SLACK_LIMITS.buttonUrl)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'View service' }, url: n.url }],
    });
  return { text: fitSlack(`${title}\nExpires at ${n.expiresAt}`, SLACK_LIMITS.fallbackText), blocks };
}

/**
 * Slack incoming-webhook channel. The webhook URL is a credential (anyone holding it can post to the channel), so
 * it lives in a true private field and never appears in an error message or log line.
 */
export class SlackNotifier extends OnCallNotifier {
  readonly channel = 'slack' as const;
  readonly #webhookUrl: string;
  private readonly timeoutMs: number;

  constructor(webhookUrl: string, options: { timeoutMs?: number } = {}) {
    super();
    if (!isWebUrl(webhookUrl))
      throw new Error('SLACK_WEBHOOK_URL must be an http(s) URL (value not shown: it is a secret)');
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw new Error(
        `SlackNotifier timeoutMs: ${String(options.timeoutMs)} must be a positive integer (milliseconds)`,
      );
    this.#webhookUrl = webhookUrl;
    this.timeoutMs = timeoutMs;
  }

  protected async sendIncident(notification: IncidentNotification): Promise<void> {
    await this.post(slackPayload(notification));
  }

  protected async sendCertificate(notification: CertificateNotification): Promise<void> {
    await this.post(slackCertificatePayload(notification));
  }

  private async post(payload: SlackPayload): Promise<void> {
    let status: number;
    let body: string;
    const axios = await loadAxios();
    try {
      const response = await axios.post<string>(this.#webhookUrl, payload, {
        headers: { 'content-type': 'application/json; charset=utf-8' },
        // axios' `timeout` only bounds inactivity on the socket; the abort signal bounds the whole exchange.
        timeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs),
        maxRedirects: 0,
        proxy: false,
        responseType: 'text',
        maxContentLength: 64 * 1024,
        validateStatus: () => true,
      });
      status = response.status;
      body = typeof response.data === 'string' ? response.data : '';
    } catch (error) {
      // A fresh error on purpose: axios errors carry the request config, webhook URL included.
      throw new Error(`Slack webhook request failed: ${describe(axios, error, this.timeoutMs)}`);
    }
    if (status < 200 || status >= 300)
      throw new Error(`Slack webhook answered HTTP ${status}${body ? `: ${oneLine(body).slice(0, 200)}` : ''}`);
  }
}

function describe(axios: AxiosStatic, error: unknown, timeoutMs: number): string {
  if (axios.isCancel(error) || (axios.isAxiosError(error) && error.code === 'ECONNABORTED'))
    return `no answer within ${timeoutMs}ms`;
  if (axios.isAxiosError(error)) return error.code ?? 'network error';
  return error instanceof Error ? error.name : 'unknown error';
}
