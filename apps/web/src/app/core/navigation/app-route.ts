/**
 * The page routes with a signal over the History API instead of @angular/router: the router alone is ~20 KB gzip, a
 * quarter of the 80 KB initial-JS budget. The admin console owns everything below /admin (its own sub-routes are
 * parsed inside its lazy chunk), so this file only knows that the path belongs to it.
 */
export type AppRoute =
  | { readonly kind: 'status' }
  | { readonly kind: 'service'; readonly id: string }
  | { readonly kind: 'incident'; readonly id: string }
  | { readonly kind: 'maintenance'; readonly id: string }
  /** `page` counts from 1 (the newest incidents). */
  | { readonly kind: 'history'; readonly page: number }
  /** `path` is what follows `admin/`, still URI-encoded ("" for /admin). */
  | { readonly kind: 'admin'; readonly path: string }
  /** No such page: the not-found view (the server answered 404 for it too). */
  | { readonly kind: 'not-found'; readonly path: string };

const ITEM = /^(services|incidents|maintenance)\/([^/]+)\/?$/;

/** Maps a path below the document base (and its query) to a view; anything unknown is the not-found view. */
export function parseRoute(pathname: string, basePath = '/', search = ''): AppRoute {
  const base = basePath.endsWith('/') ? basePath : `${basePath}/`;
  const relative = pathname.startsWith(base) ? pathname.slice(base.length) : pathname.replace(/^\/+/, '');
  if (relative === '') return { kind: 'status' };
  const admin = /^admin(?:\/(.*))?$/.exec(relative);
  if (admin) return { kind: 'admin', path: (admin[1] ?? '').replace(/\/+$/, '') };
  if (/^history\/?$/.test(relative)) {
    const page = Number(new URLSearchParams(search).get('page') ?? '1');
    return { kind: 'history', page: Number.isInteger(page) && page >= 1 && page <= 1000 ? page : 1 };
  }
  const match = ITEM.exec(relative);
  if (match?.[2]) {
    try {
      const id = decodeURIComponent(match[2]);
      return match[1] === 'services'
        ? { kind: 'service', id }
        : match[1] === 'incidents'
          ? { kind: 'incident', id }
          : { kind: 'maintenance', id };
    } catch {
      return { kind: 'not-found', path: `/${relative}` };
    }
  }
  return { kind: 'not-found', path: `/${relative}` };
}

/** Path (relative to the base, no leading slash) of a view, for links. */
export function routePath(route: AppRoute): string {
  switch (route.kind) {
    case 'status':
      return '';
    case 'service':
      return `services/${encodeURIComponent(route.id)}`;
    case 'incident':
      return `incidents/${encodeURIComponent(route.id)}`;
    case 'maintenance':
      return `maintenance/${encodeURIComponent(route.id)}`;
    case 'history':
      return route.page === 1 ? 'history' : `history?page=${route.page}`;
    case 'admin':
      return route.path === '' ? 'admin' : `admin/${route.path}`;
    case 'not-found':
      return route.path.replace(/^\/+/, '');
  }
}
