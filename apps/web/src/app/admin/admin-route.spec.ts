import { adminPath, adminRoute, parseAdminPath, sectionOf, type AdminView } from './admin-route';

describe('admin routes', () => {
  it('maps every console path to its view', () => {
    expect(parseAdminPath('')).toEqual({ kind: 'services' });
    expect(parseAdminPath('services')).toEqual({ kind: 'services' });
    expect(parseAdminPath('services/new')).toEqual({ kind: 'service-new' });
    expect(parseAdminPath('services/shop/edit')).toEqual({ kind: 'service', id: 'shop' });
    expect(parseAdminPath('services/new/edit')).toEqual({ kind: 'service', id: 'new' });
    expect(parseAdminPath('incidents')).toEqual({ kind: 'incidents' });
    expect(parseAdminPath('incidents/new')).toEqual({ kind: 'incident-new' });
    expect(parseAdminPath('incidents/inc-1')).toEqual({ kind: 'incident', id: 'inc-1' });
    expect(parseAdminPath('maintenance')).toEqual({ kind: 'maintenance' });
    expect(parseAdminPath('audit')).toEqual({ kind: 'audit' });
  });

  it('reports unknown or malformed paths instead of guessing', () => {
    expect(parseAdminPath('settings')).toEqual({ kind: 'not-found', path: 'settings' });
    expect(parseAdminPath('services/shop')).toEqual({ kind: 'not-found', path: 'services/shop' });
    expect(parseAdminPath('audit/2')).toEqual({ kind: 'not-found', path: 'audit/2' });
    expect(parseAdminPath('incidents/%E0%A4%A')).toEqual({ kind: 'not-found', path: 'incidents/%E0%A4%A' });
  });

  it('round-trips ids that need encoding', () => {
    const views: AdminView[] = [
      { kind: 'service', id: 'a/b c' },
      { kind: 'incident', id: 'inc-x/y' },
      { kind: 'service-new' },
      { kind: 'audit' },
    ];
    for (const view of views) expect(parseAdminPath(adminPath(view))).toEqual(view);
    expect(adminRoute({ kind: 'service', id: 'shop' })).toEqual({ kind: 'admin', path: 'services/shop/edit' });
  });

  it('highlights the section a view belongs to', () => {
    expect(sectionOf({ kind: 'service', id: 'x' })).toBe('services');
    expect(sectionOf({ kind: 'incident-new' })).toBe('incidents');
    expect(sectionOf({ kind: 'not-found', path: 'x' })).toBeNull();
  });
});
