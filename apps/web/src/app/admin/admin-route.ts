import type { AppRoute } from '../core/navigation/app-route';

/** The console's views, parsed from the path below /admin (the app shell hands it over still encoded). */
export type AdminView =
  | { readonly kind: 'services' }
  | { readonly kind: 'service-new' }
  | { readonly kind: 'service'; readonly id: string }
  | { readonly kind: 'incidents' }
  | { readonly kind: 'incident-new' }
  | { readonly kind: 'incident'; readonly id: string }
  | { readonly kind: 'maintenance' }
  | { readonly kind: 'audit' }
  | { readonly kind: 'not-found'; readonly path: string };

/** The four sections of the console's navigation. */
export type AdminSection = 'services' | 'incidents' | 'maintenance' | 'audit';

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Maps the path below /admin to a view. A service's page is `services/:id/edit` rather than `services/:id` because
 * "new" is a valid service id (`services/new` is the create form); incident ids always start with "inc-".
 */
export function parseAdminPath(path: string): AdminView {
  const segments = path.split('/').filter((segment) => segment !== '');
  const [section, second, third, ...rest] = segments;
  if (rest.length > 0) return { kind: 'not-found', path };
  switch (section) {
    case undefined:
      return { kind: 'services' };
    case 'services': {
      if (second === undefined) return third === undefined ? { kind: 'services' } : { kind: 'not-found', path };
      if (second === 'new' && third === undefined) return { kind: 'service-new' };
      const id = decode(second);
      return id !== null && third === 'edit' ? { kind: 'service', id } : { kind: 'not-found', path };
    }
    case 'incidents': {
      if (third !== undefined) return { kind: 'not-found', path };
      if (second === undefined) return { kind: 'incidents' };
      if (second === 'new') return { kind: 'incident-new' };
      const id = decode(second);
      return id === null ? { kind: 'not-found', path } : { kind: 'incident', id };
    }
    case 'maintenance':
    case 'audit':
      return second === undefined ? { kind: section } : { kind: 'not-found', path };
    default:
      return { kind: 'not-found', path };
  }
}

export function adminPath(view: AdminView): string {
  switch (view.kind) {
    case 'services':
    case 'incidents':
    case 'maintenance':
    case 'audit':
      return view.kind;
    case 'service-new':
      return 'services/new';
    case 'service':
      return `services/${encodeURIComponent(view.id)}/edit`;
    case 'incident-new':
      return 'incidents/new';
    case 'incident':
      return `incidents/${encodeURIComponent(view.id)}`;
    case 'not-found':
      return view.path;
  }
}

/** The app-level route of a console view, for `[appLink]` and `Navigation.navigate`. */
export function adminRoute(view: AdminView): AppRoute {
  return { kind: 'admin', path: adminPath(view) };
}

export function sectionOf(view: AdminView): AdminSection | null {
  switch (view.kind) {
    case 'services':
    case 'service-new':
    case 'service':
      return 'services';
    case 'incidents':
    case 'incident-new':
    case 'incident':
      return 'incidents';
    case 'maintenance':
      return 'maintenance';
    case 'audit':
      return 'audit';
    case 'not-found':
      return null;
  }
}
