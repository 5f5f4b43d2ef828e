import { parseRoute, routePath } from './app-route';

describe('parseRoute', () => {
  it('maps / to the status page and /services/:id to the detail page', () => {
    expect(parseRoute('/')).toEqual({ kind: 'status' });
    expect(parseRoute('/services/api%20gw')).toEqual({ kind: 'service', id: 'api gw' });
  });

  it('honours a base path and shows the not-found view for unknown paths', () => {
    expect(parseRoute('/status/services/db', '/status/')).toEqual({ kind: 'service', id: 'db' });
    expect(parseRoute('/nope/deeper')).toEqual({ kind: 'not-found', path: '/nope/deeper' });
    expect(parseRoute('/services/%E0%A4%A')).toEqual({ kind: 'not-found', path: '/services/%E0%A4%A' });
    expect(parseRoute('/services')).toEqual({ kind: 'not-found', path: '/services' });
  });

  it('maps incidents, maintenance windows and the paged history', () => {
    expect(parseRoute('/incidents/inc-1')).toEqual({ kind: 'incident', id: 'inc-1' });
    expect(parseRoute('/maintenance/mnt-1/')).toEqual({ kind: 'maintenance', id: 'mnt-1' });
    expect(parseRoute('/history')).toEqual({ kind: 'history', page: 1 });
    expect(parseRoute('/history', '/', '?page=3')).toEqual({ kind: 'history', page: 3 });
    expect(parseRoute('/history', '/', '?page=-1')).toEqual({ kind: 'history', page: 1 });
    expect(routePath({ kind: 'history', page: 2 })).toBe('history?page=2');
    expect(routePath({ kind: 'incident', id: 'a b' })).toBe('incidents/a%20b');
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
    expect(parseRoute('/administrators')).toEqual({ kind: 'not-found', path: '/administrators' });
  });
});
