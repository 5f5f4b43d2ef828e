import { join } from 'node:path';
import { startApp, waitFor } from '../support/app-process.js';

function parseLines(output: string): { notJson: string[]; entries: Record<string, unknown>[] } {
  const notJson: string[] = [];
  const entries: Record<string, unknown>[] = [];
  for (const line of output.split('\n').filter((text) => text.length > 0)) {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null) entries.push(value as Record<string, unknown>);
      else notJson.push(line);
    } catch {
      notJson.push(line);
    }
  }
  return { notJson, entries };
}

describe('LOG_FORMAT=json', () => {
  it('writes nothing but one JSON object per line, Node process warnings included', async () => {
    // Node's own warnings on (the harness turns them off elsewhere): on Node 20 the AWS SDK warns about the
    // version in several raw lines, which is what a log shipper would have choked on.
    const app = await startApp({
      servicesYaml: 'services: []\n',
      env: { LOG_FORMAT: 'json', NODE_NO_WARNINGS: '' },
    });
    await app.stop();
    const lines = app
      .output()
      .split('\n')
      .filter((line) => line.length > 0);
    expect(lines.length).toBeGreaterThan(5);
    const { notJson } = parseLines(app.output());
    expect(notJson).toEqual([]);
    if (process.versions.node.startsWith('20.'))
      expect(lines.some((line) => line.includes('NodeVersionSupportWarning'))).toBe(true);
  });

  it("turns what libraries print with console.* (cron's missed-tick warning) into JSON lines too", async () => {
    const app = await startApp({
      servicesYaml: 'services: []\n',
      env: {
        LOG_FORMAT: 'json',
        NODE_OPTIONS: `--require ${join(import.meta.dirname, '..', 'fixtures', 'console-lines.cjs')}`,
      },
    });
    app.child.kill('SIGUSR2');
    // The fixture's last write is a raw marker line (stdout, not console): it says the console lines are out.
    await waitFor(
      () => Promise.resolve(app.output()),
      (output) => output.includes('console-lines: done'),
      5000,
    );
    await app.stop();
    const { notJson, entries } = parseLines(app.output());
    expect(notJson).toEqual(['console-lines: done']);
    const pick = (entry: Record<string, unknown>) => ({
      level: entry.level,
      context: entry.context,
      message: entry.message,
    });
    const printed = entries.filter((entry) => entry.context === 'Cron' || entry.context === 'Console').map(pick);
    // stdout and stderr are two pipes: their lines interleave in any order.
    expect(printed).toHaveLength(5);
    expect(printed).toEqual(
      expect.arrayContaining([
        {
          level: 'warn',
          context: 'Cron',
          message:
            'Missed execution deadline by 312ms for job "monitoring-tick" with cron expression \'* * * * * *\'. Executing immediately.',
        },
        {
          level: 'log',
          context: 'Console',
          message: "plain text with 2 args { nested: { hook: 'https://hooks.slack.com/[redacted]' } }",
        },
        { level: 'error', context: 'Console', message: expect.stringMatching(/^Error: two\nlines\n +at /) as unknown },
        { level: 'log', context: 'Console', message: 'info' },
        { level: 'debug', context: 'Console', message: 'debug' },
      ]),
    );
    // Redacted like every other line: the webhook's secret path never reaches the log.
    expect(app.output()).not.toContain('XXXXSECRET');
  });
});
