/**
 * The page routes with a signal over the History API instead of @angular/router: the router alone is ~20 KB gzip, a
 * quarter of the 80 KB initial-JS budget. The admin console owns everything below /admin (its own sub-routes are
 * parsed inside its lazy chunk), so this file only knows that the path belongs to it.
 */
export type AppRoute =
  | { readonly kind: 'status' }
  | { readonly kind: 'service'; readonly id: string }
  /** `path` is what follows `admin/`, still URI-encoded ("" for /admin). */
  | { readonly kind: 'admin'; readonly path: string };

/** Maps a path below the document base to a view; anything unknown shows the status page. */
export function parseRoute(pathname: string, basePath = '/'): AppRoute {
  const base = basePath.endsWith('/') ? basePath : `${basePath}/`;
  const relative = pathname.startsWith(base) ? pathname.slice(base.length) : pathname.replace(/^\/+/, '');
  const admin = /^admin(?:\/(.*))?$/.exec(relative);
  if (admin) return { kind: 'admin', path: (admin[1] ?? '').replace(/\/+$/, '') };
  const match = /^services\/([^/]+)\/?$/.exec(relative);
  if (match?.[1]) {
    try {
      return { kind: 'service', id: decodeURIComponent(match[1]) };
    } catch {
      return { kind: 'status' };
    }
  }
  return { kind: 'status' };
}

/** Path (relative to the base, no leading slash) of a view, for links. */
export function routePath(route: AppRoute): string {
  switch (route.kind) {
    case 'status':
      return '';
    case 'service':
      return `services/${encodeURIComponent(route.id)}`;
    case 'admin':
      return route.path === '' ? 'admin' : `admin/${route.path}`;
  }
}
