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
    expect(parseRoute(`/${routePath({ kind: 'admin', path: 'services/a%2Fb/edit' })}`)).toEqual({
      kind: 'admin',
      path: 'services/a%2Fb/edit',
    });
  });

  it('hands everything below /admin to the console, still encoded and without a trailing slash', () => {
    expect(parseRoute('/admin')).toEqual({ kind: 'admin', path: '' });
    expect(parseRoute('/admin/')).toEqual({ kind: 'admin', path: '' });
    expect(parseRoute('/admin/incidents/inc-1/')).toEqual({ kind: 'admin', path: 'incidents/inc-1' });
    expect(parseRoute('/status/admin/audit', '/status/')).toEqual({ kind: 'admin', path: 'audit' });
    // Only the exact segment: /administrators is not the console.
    expect(parseRoute('/administrators')).toEqual({ kind: 'status' });
  });
});
