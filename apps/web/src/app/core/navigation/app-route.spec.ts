import { parseRoute, routePath } from './app-route';

describe('parseRoute', () => {
  it('maps / to the status page and /services/:id to the detail page', () => {
    expect(parseRoute('/')).toEqual({ kind: 'status' });
    expect(parseRoute('/services/api%20gw')).toEqual({ kind: 'service', id: 'api gw' });
  });

  it('honours a base path and falls back to the status page for unknown paths', () => {
    expect(parseRoute('/status/services/db', '/status/')).toEqual({ kind: 'service', id: 'db' });
    expect(parseRoute('/nope/deeper')).toEqual({ kind: 'status' });
    expect(parseRoute('/services/%E0%A4%A')).toEqual({ kind: 'status' });
  });

  it('round-trips through routePath', () => {
    expect(parseRoute(`/${routePath({ kind: 'service', id: 'a/b' })}`)).toEqual({ kind: 'service', id: 'a/b' });
  });
});
