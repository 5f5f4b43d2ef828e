import { firstFailedAssertion, NO_ASSERTIONS, type ResponseAssertions } from './assertions.js';
import { parseJsonPath } from './json-path.js';
import { RegexRunner, type RegexOutcome } from './regex-runner.js';

/** Answers from a table (no worker), recording what it was asked and with which budget. */
class ScriptedRegex extends RegexRunner {
  readonly calls: { pattern: string; budgetMs: number }[] = [];
  constructor(private readonly outcome: RegexOutcome) {
    super();
  }
  test(pattern: string, _input: string, budgetMs: number): Promise<RegexOutcome> {
    this.calls.push({ pattern, budgetMs });
    return Promise.resolve(this.outcome);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const json = (
  path: string,
  operator: ResponseAssertions['json'][number]['operator'],
  value?: string | number | boolean,
) => ({
  path,
  segments: parseJsonPath(path)!,
  operator,
  ...(value === undefined ? {} : { value }),
});

async function judge(
  assertions: Partial<ResponseAssertions>,
  body: string | null,
  headers: Record<string, string> = {},
  regex: RegexRunner = new ScriptedRegex('match'),
) {
  return firstFailedAssertion({ ...NO_ASSERTIONS, ...assertions }, { headers, body, regex, remainingMs: () => 5000 });
}

describe('response assertions', () => {
  const up = JSON.stringify({ status: 'UP', db: { latencyMs: 12 }, checks: [{ ok: true }] });

  it('passes when every assertion holds', async () => {
    expect(
      await judge(
        {
          contains: ['"status":"UP"'],
          notContains: ['maintenance'],
          matches: ['"latencyMs":\\d+'],
          json: [
            json('$.status', '==', 'UP'),
            json('$.db.latencyMs', '<', 100),
            json('$.checks[0].ok', '==', true),
            json('$.db', 'exists'),
          ],
          headers: [{ name: 'Content-Type', operator: 'contains', value: 'json' }],
        },
        up,
        { 'content-type': 'application/json; charset=utf-8' },
      ),
    ).toBeNull();
  });

  it('names the failed assertion and a short view of the body, never the whole body', async () => {
    const page = `<!DOCTYPE html><html><body>Down for maintenance ${'x'.repeat(5000)}</body></html>`;
    const reason = await judge({ contains: ['"status":"UP"'] }, page);
    expect(reason).toMatch(
      /^assertion contains "\\"status\\":\\"UP\\"" failed: body starts "<!DOCTYPE html><html><body>Down for maintenance x+…$/,
    );
    expect(reason!.length).toBeLessThan(200);
  });

  it('shows where a forbidden text was found', async () => {
    expect(await judge({ notContains: ['maintenance'] }, '<p>Down for maintenance until 5pm</p>')).toBe(
      'assertion notContains "maintenance" failed: found in "<p>Down for maintenance until 5pm</p>"',
    );
  });

  it.each([
    [json('$.status', '==', 'UP'), '{"status":"DOWN"}', 'assertion json $.status == "UP" failed: saw "DOWN"'],
    [json('$.status', '!=', 'DOWN'), '{"status":"DOWN"}', 'assertion json $.status != "DOWN" failed: saw "DOWN"'],
    [json('$.queue', '<=', 10), '{"queue":11}', 'assertion json $.queue <= 10 failed: saw 11'],
    [json('$.queue', '>', 0), '{"queue":"5"}', 'assertion json $.queue > 0 failed: saw "5"'],
    [json('$.db.ok', 'exists'), '{"db":{}}', 'assertion json $.db.ok exists failed: no value at that path'],
    [json('$.items[3]', '==', 1), '{"items":[1]}', 'assertion json $.items[3] == 1 failed: no value at that path'],
  ])('fails %j on %s', async (assertion, body, reason) => {
    expect(await judge({ json: [assertion] }, body)).toBe(reason);
  });

  it('says when the body is not JSON', async () => {
    expect(await judge({ json: [json('$.status', '==', 'UP')] }, '<html>')).toBe(
      'assertion json $.status failed: body is not JSON, starts "<html>"',
    );
  });

  it('compares response headers by lower-case name', async () => {
    expect(await judge({ headers: [{ name: 'X-Version', operator: 'exists' }] }, '', {})).toBe(
      'assertion header X-Version exists failed: no such header',
    );
    expect(
      await judge({ headers: [{ name: 'Cache-Control', operator: '==', value: 'no-store' }] }, '', {
        'cache-control': 'max-age=60',
      }),
    ).toBe('assertion header Cache-Control == "no-store" failed: saw "max-age=60"');
    expect(
      await judge({ headers: [{ name: 'server', operator: 'notContains', value: 'Apache' }] }, '', { server: 'nginx' }),
    ).toBeNull();
  });

  it('hands patterns to the regex runner with at most 250 ms, and words its answers', async () => {
    const slow = new ScriptedRegex('timeout');
    expect(await judge({ matches: ['(a+)+$'] }, 'aaaa', {}, slow)).toBe(
      'assertion matches "(a+)+$" failed: gave up after 250ms',
    );
    expect(slow.calls).toEqual([{ pattern: '(a+)+$', budgetMs: 250 }]);
    expect(await judge({ matches: ['^OK$'] }, 'x', {}, new ScriptedRegex('deadline'))).toBe(
      `assertion matches "^OK$" failed: no time left before the check's deadline`,
    );
    expect(await judge({ matches: ['^OK$'] }, 'NOT OK', {}, new ScriptedRegex('no-match'))).toBe(
      'assertion matches "^OK$" failed: body starts "NOT OK"',
    );
  });
});
