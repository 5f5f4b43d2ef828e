import { isApiPath, looksLikeFile, pageRoute } from './page-routes.js';

describe('page routes', () => {
  it('names the item pages with their decoded id', () => {
    expect(pageRoute('/services/caf%C3%A9')).toEqual({ kind: 'service', id: 'café' });
    expect(pageRoute('/incidents/inc-42/')).toEqual({ kind: 'incident', id: 'inc-42' });
    expect(pageRoute('/maintenance/mw-7')).toEqual({ kind: 'maintenance', id: 'mw-7' });
  });

  it('knows the plain pages: the status page, history and the console with its sub-pages', () => {
    for (const path of ['/', '/history', '/history/', '/admin', '/admin/services/shop/edit'])
      expect({ path, route: pageRoute(path) }).toEqual({ path, route: { kind: 'page' } });
  });

  it('has no page for anything else, nor for an id that is not valid percent-encoding', () => {
    for (const path of ['/nope', '/services', '/services/a/b', '/services/%E0%A4%A', '/administrator', '/History'])
      expect({ path, route: pageRoute(path) }).toEqual({ path, route: null });
  });

  it('tells files (a dot in the last segment) and API paths apart from pages', () => {
    expect([looksLikeFile('/main-ABC.js'), looksLikeFile('/admin/x.y/'), looksLikeFile('/a.b/c')]).toEqual([
      true,
      true,
      false,
    ]);
    expect([isApiPath('/API/x'), isApiPath('//api;v=1/x'), isApiPath('/api%2fx'), isApiPath('/apis')]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
