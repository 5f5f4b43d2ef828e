export interface Sparkline {
  /** SVG path of the successful checks; a failed check breaks the line. */
  readonly path: string;
  /** x positions (0..width) of failed checks, drawn as marks on the baseline. */
  readonly failures: readonly number[];
  readonly min: number | null;
  readonly max: number | null;
  readonly last: number | null;
  readonly count: number;
}

const round = (value: number): number => Math.round(value * 10) / 10;

/** Scales latencies (oldest first, null = failed) into a `width`×`height` box with `pad` px top and bottom. */
export function sparkline(values: readonly (number | null)[], width: number, height: number, pad = 2): Sparkline {
  const ok = values.filter((value): value is number => value !== null && Number.isFinite(value));
  const min = ok.length > 0 ? Math.min(...ok) : null;
  const max = ok.length > 0 ? Math.max(...ok) : null;
  const last = values.length > 0 ? (values[values.length - 1] ?? null) : null;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  // Scale from 0 so a flat 20 ms line does not look like a spike; keep a floor so tiny values stay visible.
  const top = Math.max(max ?? 0, 1);
  const y = (value: number): number => round(height - pad - (value / top) * (height - 2 * pad));
  let path = '';
  let penDown = false;
  const failures: number[] = [];
  values.forEach((value, index) => {
    const x = round(values.length > 1 ? index * step : width / 2);
    if (value === null || !Number.isFinite(value)) {
      failures.push(x);
      penDown = false;
      return;
    }
    path += `${penDown ? 'L' : 'M'}${x} ${y(value)}`;
    penDown = true;
  });
  return { path, failures, min, max, last, count: values.length };
}
