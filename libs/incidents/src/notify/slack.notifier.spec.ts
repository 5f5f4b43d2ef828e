import type { IncidentNotification } from './notifier.js';
import { escapeSlack, fitSlack, SLACK_LIMITS, SlackNotifier, slackPayload, type SlackBlock } from './slack.notifier.js';
import { notification as fixture } from '../testing/index.js';

const notification = (patch: Partial<IncidentNotification> = {}) =>
  fixture({
    severity: 'critical',
    message: 'We are investigating failed checks.',
    at: '2026-01-10T12:05:00.000Z',
    ...patch,
  });

/** Every string in the payload, wherever Slack might render it. */
function allTexts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allTexts);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(allTexts);
  return [];
}

const blockOf = <T extends SlackBlock['type']>(blocks: SlackBlock[], type: T) =>
  blocks.filter((block): block is Extract<SlackBlock, { type: T }> => block.type === type);

describe('slackPayload', () => {
  it('has a header, a fields section (status, severity, services, since, last error), the message and a link button', () => {
    const payload = slackPayload(notification());
    expect(blockOf(payload.blocks, 'header')[0]?.text.text).toBe(':red_circle: [DOWN] Checkout API is down');
    const sections = blockOf(payload.blocks, 'section');
    expect(sections[0]?.fields?.map((field) => field.text)).toEqual([
      '*Status*\ninvestigating',
      '*Severity*\ncritical',
      '*Services*\nCheckout API',
      '*Since*\n2026-01-10T12:00:00.000Z (5m ago)',
      '*Last error*\nservice unavailable (HTTP 503)',
    ]);
    expect(sections[1]?.text).toEqual({ type: 'mrkdwn', text: 'We are investigating failed checks.' });
    expect(blockOf(payload.blocks, 'actions')[0]?.elements[0]).toMatchObject({
      type: 'button',
      url: notification().url,
    });
    expect(payload.text).toContain('[DOWN] Checkout API is down');
    expect(payload.text).toContain(notification().url);
  });

  it('measures "since … ago" when it is sent, not when the transition was queued', () => {
    // Slack switched on with an incident already open 5 minutes: the boot repair queues its "opened" message with
    // the transition's own time; the message must still say 5m, not 0s.
    const queued = notification({ at: '2026-01-10T12:00:00.000Z' });
    const field = (n: typeof queued) =>
      blockOf(slackPayload(n).blocks, 'section')[0]?.fields?.find((f) => f.text.startsWith('*Since*'))?.text;
    expect(field(queued)).toBe('*Since*\n2026-01-10T12:00:00.000Z (0s ago)');
    expect(field({ ...queued, sentAt: '2026-01-10T12:05:30.000Z' })).toBe('*Since*\n2026-01-10T12:00:00.000Z (5m ago)');
  });

  it('escapes <!channel> and disguised links in every user-provided string', () => {
    const payload = slackPayload(
      notification({
        title: 'Down <!channel> & <http://evil.example|click here>',
        message: 'Hi <!here> <@U123> see <https://evil.example|status page> & more',
        lastError: '<!everyone>',
        serviceNames: ['<!subteam^S1>'],
      }),
    );
    const texts = allTexts(payload);
    for (const text of texts) {
      expect(text).not.toMatch(/<[!@#]/);
      expect(text).not.toContain('<http');
    }
    expect(blockOf(payload.blocks, 'section')[1]?.text?.text).toBe(
      'Hi &lt;!here&gt; &lt;@U123&gt; see &lt;https://evil.example|status page&gt; &amp; more',
    );
    expect(payload.text).toContain('&lt;!channel&gt; &amp; &lt;http://evil.example|click here&gt;');
  });

  it("cuts long fields to Slack's limits without leaving half an HTML entity", () => {
    const payload = slackPayload(notification({ title: '<'.repeat(400), message: 'a&'.repeat(5000) }));
    const header = blockOf(payload.blocks, 'header')[0]!.text.text;
    const message = blockOf(payload.blocks, 'section')[1]!.text!.text;
    expect(header.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(message.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(header.endsWith('&lt;…')).toBe(true);
    expect(message).toMatch(/(a|&amp;)…$/);
  });

  it('omits the message section when there is no message and the button for a non-web link', () => {
    const payload = slackPayload(notification({ message: '  ', url: 'javascript:alert(1)', lastError: null }));
    expect(blockOf(payload.blocks, 'section')).toHaveLength(1);
    expect(blockOf(payload.blocks, 'actions')).toHaveLength(0);
    expect(allTexts(payload).join('\n')).not.toContain('javascript:');
  });

  it('shows the resolution time on resolve', () => {
    const payload = slackPayload(
      notification({ transition: 'resolved', status: 'resolved', resolvedAt: '2026-01-10T12:30:00.000Z' }),
    );
    expect(blockOf(payload.blocks, 'header')[0]?.text.text).toBe(
      ':large_green_circle: [RESOLVED] Checkout API recovered after 30m',
    );
    expect(blockOf(payload.blocks, 'section')[0]?.fields?.map((field) => field.text)).toContain(
      '*Resolved*\n2026-01-10T12:30:00.000Z',
    );
  });
});

describe('escapeSlack / fitSlack', () => {
  it('escapes exactly &, < and >', () => {
    expect(escapeSlack(`a&b<c>d"e'f`)).toBe(`a&amp;b&lt;c&gt;d"e'f`);
  });

  it('leaves short text alone and marks a cut with an ellipsis', () => {
    expect(fitSlack('short', 10)).toBe('short');
    expect(fitSlack('abcdefghijkl', 10)).toBe('abcdefghi…');
  });
});

describe('SlackNotifier', () => {
  it('rejects a non-http webhook URL without echoing it', () => {
    expect(() => new SlackNotifier('ftp://hooks.example/secret-token')).toThrow(/SLACK_WEBHOOK_URL/);
    expect(() => new SlackNotifier('ftp://hooks.example/secret-token')).not.toThrow(/secret-token/);
  });

  it('keeps the webhook URL out of its inspected and serialised form', async () => {
    const { inspect } = await import('node:util');
    const notifier = new SlackNotifier('https://hooks.slack.com/services/T/B/secret-token');
    expect(inspect(notifier)).not.toContain('secret-token');
    expect(JSON.stringify(notifier)).not.toContain('secret-token');
    expect(notifier.channel).toBe('slack');
  });
});
