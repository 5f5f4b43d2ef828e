import { Counter, Histogram, type Registry } from 'prom-client';
import { REASON_CLASSES, type ReasonClass } from '@app/monitoring';

const REASONS = REASON_CLASSES.length;
/** Where each service's histogram starts: after its check counts, per result (ok, fail) and reason class. */
const HISTOGRAM = 2 * REASONS;
const DURATION = 'statuspage_check_duration_seconds';
type Sample = { value: number; labels: Record<string, string | number>; metricName?: string };

/**
 * The per-service check series, `statuspage_checks_total{service,result,reason}` and
 * `statuspage_check_duration_seconds{service}`, kept as one array of numbers per service: prom-client's own label
 * maps held ~900 B per service (hash strings, label objects, a bucket object per histogram, the label sets seen),
 * ~9 MB of heap at 10,000 services. The two metrics are prom-client's classes whose samples are written from these
 * arrays at scrape time, in the same text as prom-client's (a spec compares them).
 *
 * Per service: the check count per result and reason class, then the duration histogram's count per bucket (not
 * cumulative; a duration above the last bound is only in the count), its sum and its count.
 */
export class CheckSeries {
  private readonly series = new Map<string, number[]>();
  private readonly width: number;
  readonly checks: Counter<'service' | 'result' | 'reason'>;
  readonly duration: Histogram<'service'>;

  constructor(
    registry: Registry,
    private readonly bounds: readonly number[],
    /** Runs before either metric is written (the owner drops removed services there). */
    beforeScrape: () => void = () => undefined,
  ) {
    this.width = HISTOGRAM + bounds.length + 2;
    const countSamples = () => this.countSamples();
    const durationSamples = (splay: boolean) => this.durationSamples(splay);
    const checks = {
      name: 'statuspage_checks_total',
      help: 'Checks run, by service, result (ok|fail) and failure reason class',
    };
    const duration = { name: DURATION, help: 'Duration of checks (DNS to body), per service' };
    type CountMetric = Awaited<ReturnType<Counter<'service' | 'result' | 'reason'>['get']>>;
    type DurationMetric = Awaited<ReturnType<Histogram<'service'>['get']>>;
    this.checks = new (class extends Counter<'service' | 'result' | 'reason'> {
      override get(): Promise<CountMetric> {
        beforeScrape();
        return Promise.resolve({
          ...checks,
          type: 'counter',
          aggregator: 'sum',
          values: countSamples(),
        } as unknown as CountMetric);
      }
    })({ ...checks, labelNames: ['service', 'result', 'reason'], registers: [registry] });
    this.duration = new (class extends Histogram<'service'> {
      override get(): Promise<DurationMetric> {
        return Promise.resolve(this.metric(true));
      }
      /** What the registry writes a histogram from (prom-client's own hook: the bucket's label kept apart). */
      getForPromString(): Promise<DurationMetric> {
        return Promise.resolve(this.metric(false));
      }
      private metric(splay: boolean): DurationMetric {
        const values = durationSamples(splay);
        return { ...duration, type: 'histogram', aggregator: 'sum', values } as unknown as DurationMetric;
      }
    })({ ...duration, labelNames: ['service'], buckets: [...bounds], registers: [registry] });
  }

  /** Counts one check of the service. */
  observe(serviceId: string, ok: boolean, reason: ReasonClass, seconds: number): void {
    let values = this.series.get(serviceId);
    if (values === undefined) {
      values = new Array<number>(this.width).fill(0);
      this.series.set(serviceId, values);
    }
    const index = (ok ? 0 : REASONS) + REASON_CLASSES.indexOf(reason);
    values[index] = (values[index] as number) + 1;
    const base = HISTOGRAM;
    const bounds = this.bounds.length;
    let bucket = 0;
    while (bucket < bounds && seconds > (this.bounds[bucket] as number)) bucket += 1;
    if (bucket < bounds) values[base + bucket] = (values[base + bucket] as number) + 1;
    values[base + bounds] = (values[base + bounds] as number) + seconds;
    values[base + bounds + 1] = (values[base + bounds + 1] as number) + 1;
  }

  /** Drops the series of every service `kept` says no to. */
  forgetUnless(kept: (serviceId: string) => boolean): void {
    for (const serviceId of this.series.keys()) if (!kept(serviceId)) this.series.delete(serviceId);
  }

  private countSamples(): Sample[] {
    const out: Sample[] = [];
    for (const [service, values] of this.series)
      for (let index = 0; index < HISTOGRAM; index += 1) {
        const value = values[index] as number;
        const result = index < REASONS ? 'ok' : 'fail';
        const reason = REASON_CLASSES[index % REASONS] as ReasonClass;
        if (value > 0) out.push({ value, labels: { service, result, reason } });
      }
    return out;
  }

  /**
   * The histogram's samples as prom-client writes them: per service its cumulative buckets, +Inf, sum and count.
   * `splay`: the service label inside each sample's labels (get()); else apart, as the registry's text wants it.
   */
  private durationSamples(splay: boolean): (Sample & { sharedLabels?: Record<string, string> })[] {
    const out: (Sample & { sharedLabels?: Record<string, string> })[] = [];
    const base = HISTOGRAM;
    const bounds = this.bounds.length;
    for (const [service, values] of this.series) {
      const shared = { service };
      const sample = (labels: Record<string, string | number>, value: number, metricName: string) =>
        out.push(
          splay
            ? { value, labels: { ...labels, service }, metricName }
            : { value, labels, sharedLabels: shared, metricName },
        );
      let cumulative = 0;
      for (let bucket = 0; bucket < bounds; bucket += 1) {
        cumulative += values[base + bucket] as number;
        sample({ le: this.bounds[bucket] as number }, cumulative, `${DURATION}_bucket`);
      }
      const count = values[base + bounds + 1] as number;
      sample({ le: '+Inf' }, count, `${DURATION}_bucket`);
      sample({}, values[base + bounds] as number, `${DURATION}_sum`);
      sample({}, count, `${DURATION}_count`);
    }
    return out;
  }
}
