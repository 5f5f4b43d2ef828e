import { Counter, Histogram, Registry } from 'prom-client';
import { seededRandom } from '@app/common/testing';
import { REASON_CLASSES } from '@app/monitoring';
import { CheckSeries } from './check-series.js';

const BOUNDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The same two metrics as prom-client keeps them itself: the text CheckSeries must write. */
function reference(registry: Registry) {
  const checks = new Counter({
    name: 'statuspage_checks_total',
    help: 'Checks run, by service, result (ok|fail) and failure reason class',
    labelNames: ['service', 'result', 'reason'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'statuspage_check_duration_seconds',
    help: 'Duration of checks (DNS to body), per service',
    labelNames: ['service'],
    buckets: BOUNDS,
    registers: [registry],
  });
  return { checks, duration };
}

describe('CheckSeries', () => {
  it("writes the same Prometheus text and JSON as prom-client's own counter and histogram fed the same checks", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const series = new CheckSeries(ours, BOUNDS);
    const { checks, duration } = reference(theirs);
    const next = seededRandom(20261205);
    for (let index = 0; index < 3000; index += 1) {
      const service = `svc-${Math.floor(next() * 40)}`;
      const ok = next() < 0.7;
      const reason = ok ? 'none' : (REASON_CLASSES[Math.floor(next() * REASON_CLASSES.length)] ?? 'other');
      // On the bounds, between them, past the last one, and zero.
      const pick = next();
      const seconds =
        pick < 0.2 ? (BOUNDS[Math.floor(next() * BOUNDS.length)] as number) : pick < 0.25 ? 0 : next() * 12;
      series.observe(service, ok, reason, seconds);
      checks.inc({ service, result: ok ? 'ok' : 'fail', reason });
      duration.observe({ service }, seconds);
    }
    // The same lines; their order within a metric differs (prom-client: label sets as first seen; here per service).
    const lines = (text: string) => text.split('\n').sort();
    const text = await ours.metrics();
    expect(lines(text)).toEqual(lines(await theirs.metrics()));
    expect(text).toContain('statuspage_check_duration_seconds_bucket{le="+Inf",service="svc-0"}');
    // Each service's histogram lines stay together, buckets in order, then sum and count (as prom-client writes).
    const svc7 = text.split('\n').filter((line) => line.includes('_seconds_') && line.includes('"svc-7"'));
    expect(svc7.map((line) => line.replace(/ .*$/, ''))).toEqual([
      ...[...BOUNDS, '+Inf'].map((le) => `statuspage_check_duration_seconds_bucket{le="${le}",service="svc-7"}`),
      'statuspage_check_duration_seconds_sum{service="svc-7"}',
      'statuspage_check_duration_seconds_count{service="svc-7"}',
    ]);
    const json = async (registry: Registry) =>
      (await registry.getMetricsAsJSON()).map((metric) => ({
        ...metric,
        values: metric.values
          .map(
            (value: { metricName?: string; labels: object; value: number }) =>
              `${value.metricName ?? metric.name} ${JSON.stringify(Object.entries(value.labels).sort())} ${value.value}`,
          )
          .sort(),
      }));
    expect(await json(ours)).toEqual(await json(theirs));
  });

  it('drops a forgotten service from both metrics, and runs its hook before writing them', async () => {
    const registry = new Registry();
    const order: string[] = [];
    const series = new CheckSeries(registry, BOUNDS, () => {
      order.push('hook');
      series.forgetUnless((service) => service !== 'gone');
    });
    series.observe('kept', true, 'none', 0.03);
    series.observe('gone', false, 'timeout', 5);
    const text = await registry.metrics();
    expect(order).toEqual(['hook']);
    expect(text).not.toContain('gone');
    expect(text).toContain('statuspage_checks_total{service="kept",result="ok",reason="none"} 1');
    expect(text).toContain('statuspage_check_duration_seconds_bucket{le="0.05",service="kept"} 1');
    expect(text).toContain('statuspage_check_duration_seconds_count{service="kept"} 1');
  });
});
