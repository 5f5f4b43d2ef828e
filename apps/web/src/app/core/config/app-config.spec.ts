import { DEFAULT_APP_CONFIG, loadAppConfig, parseAppConfig } from './app-config';

describe('parseAppConfig', () => {
  it('reads the documented keys', () => {
    expect(parseAppConfig({ apiBaseUrl: 'https://api.example.com/', pollIntervalMs: 5000 })).toEqual({
      ...DEFAULT_APP_CONFIG,
      apiBaseUrl: 'https://api.example.com',
      pollIntervalMs: 5000,
    });
  });

  it('falls back to the default for an invalid value and names the key, value and rule', () => {
    const warnings: string[] = [];
    const config = parseAppConfig({ pollIntervalMs: 0 }, (message) => warnings.push(message));
    expect(config.pollIntervalMs).toBe(30_000);
    expect(warnings).toEqual(['config.json: pollIntervalMs 0 must be a number of ms between 1000 and 3600000']);
  });

  it('uses same-origin /api every 30 s when config.json is missing', async () => {
    const config = await loadAppConfig(() => Promise.resolve(new Response('', { status: 404 })));
    expect(config).toEqual(DEFAULT_APP_CONFIG);
    expect(config.apiBaseUrl).toBe('/api');
    expect(config.pollIntervalMs).toBe(30_000);
  });
});
