import { SERVICE_STATES } from '@app/contracts';

describe('test harness', () => {
  it('exposes the dynalite endpoint started by the global setup', () => {
    expect(process.env.TEST_DYNAMODB_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(SERVICE_STATES).toContain('maintenance');
  });
});
