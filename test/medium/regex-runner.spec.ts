import { WorkerRegexRunner, type RegexOutcome } from '@app/monitoring';

/**
 * The worker runner of `matches` assertions, with its real worker threads and re2js: what it answers, how a
 * pattern that runs out of time is cut off, and where everyone else's patterns wait meanwhile. The assertions are
 * on outcomes and on the order in which answers arrive, never on how long something took.
 */
describe('WorkerRegexRunner', () => {
  // ~2.7 s of re2js here (linear, but 25 nested stars over 1 MiB): over any budget these tests give it.
  const HEAVY = '(.*a){25}$';
  const big = 'a'.repeat(1024 * 1024);
  let regex: WorkerRegexRunner;

  beforeEach(() => {
    regex = new WorkerRegexRunner();
  });
  afterEach(async () => {
    await regex.close();
  });

  /** Starts a test and records when it settles among the others recorded in `order`. */
  const tracked = (order: string[], name: string, run: Promise<RegexOutcome>) =>
    run.then((outcome) => {
      order.push(name);
      return outcome;
    });

  it('answers match and no-match, and rejects a pattern that does not compile with the engine’s reason', async () => {
    expect(await regex.test('"status":"UP"', '{"status":"UP"}', 1000)).toBe('match');
    expect(await regex.test('^DOWN$', '{"status":"UP"}', 1000)).toBe('no-match');
    // Linear time: a backtracking engine never returns here; re2js says no at once.
    expect(await regex.test('(a+)+$', `${'a'.repeat(10_000)}b`, 1000)).toBe('no-match');
    await expect(regex.test('(?<=a)b', 'ab', 1000)).rejects.toThrow(/invalid|lookbehind|syntax|perl/i);
    // The worker survives the bad pattern.
    expect(await regex.test('b', 'ab', 1000)).toBe('match');
    expect(regex.terminated).toBe(0);
  });

  it('cuts a pattern off at its budget by ending its worker, and the next pattern gets a fresh one', async () => {
    expect(await regex.test(HEAVY, big, 200)).toBe('timeout');
    expect(regex.terminated).toBe(1);
    expect(await regex.test('a$', big, 1000)).toBe('match');
    expect(regex.terminated).toBe(1);
  });

  it('moves a pattern that ran out of time to a lane of its own: the others no longer wait behind it', async () => {
    expect(await regex.test(HEAVY, big, 200)).toBe('timeout');
    // The fast lane has its fresh worker ready.
    expect(await regex.test('UP', 'UP', 1000)).toBe('match');

    const order: string[] = [];
    const heavy = tracked(order, 'heavy', regex.test(HEAVY, big, 1500));
    const light = tracked(order, 'light', regex.test('UP', 'status UP', 1500));
    expect(await Promise.all([heavy, light])).toEqual(['timeout', 'match']);
    // On one lane, "light" would have waited the heavy one's 1.5 s and its worker's restart.
    expect(order).toEqual(['light', 'heavy']);
    expect(regex.terminated).toBe(2);
  });

  it('the first run of an unknown slow pattern holds the shared lane: one waiting past its deadline is told so', async () => {
    const order: string[] = [];
    const heavy = tracked(order, 'heavy', regex.test(HEAVY, big, 600));
    // Queued behind it with a deadline 50 ms away: it never starts.
    const queued = tracked(order, 'queued', regex.test('UP', 'UP', 250, performance.now() + 50));
    // Queued with time to spare: it runs once the heavy one is cut off.
    const patient = tracked(order, 'patient', regex.test('UP', 'UP', 250, performance.now() + 30_000));
    expect(await Promise.all([heavy, queued, patient])).toEqual(['timeout', 'deadline', 'match']);
    expect(order).toEqual(['heavy', 'queued', 'patient']);
    // Only the heavy one cost a worker: the one out of time was answered without being sent.
    expect(regex.terminated).toBe(1);
  });

  it('stops a running pattern at the probe’s deadline when that comes before its budget', async () => {
    expect(await regex.test(HEAVY, big, 5000, performance.now() + 300)).toBe('deadline');
    expect(regex.terminated).toBe(1);
    // Cut off by the deadline, not by its own budget: the pattern stays on the shared lane.
    const order: string[] = [];
    const heavy = tracked(order, 'heavy', regex.test(HEAVY, big, 400));
    const light = tracked(order, 'light', regex.test('UP', 'UP', 250, performance.now() + 30_000));
    expect(await Promise.all([heavy, light])).toEqual(['timeout', 'match']);
    expect(order).toEqual(['heavy', 'light']);
  });

  it('answers "deadline" for a pattern whose deadline passed before its turn, and ends no worker', async () => {
    expect(await regex.test('UP', 'UP', 250, performance.now() - 1)).toBe('deadline');
    expect(regex.terminated).toBe(0);
  });
});
