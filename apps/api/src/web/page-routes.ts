/**
 * Which paths are dashboard pages. Pure and import-free: the local server (serve-dashboard.ts) and the CloudFront
 * viewer-request function (terraform/modules/edge/functions/spa-rewrite.js, which carries a copy of PAGE_ROUTE)
 * must answer alike, and test/infra/edge-functions.spec.ts fails when the two drift.
 */

/**
 * The dashboard's page routes: "/", "/history", "/services/<id>", "/incidents/<id>" (the links in alerts and the
 * feed), "/maintenance/<id>" and "/admin" with its sub-pages (the console routes them itself). Group 1 is the kind
 * of an item page, group 2 its still-encoded id.
 */
export const PAGE_ROUTE = /^\/(?:|history\/?|admin(?:\/[^.]*)?|(services|incidents|maintenance)\/([^/]+)\/?)$/;

export type PageRoute =
  | { kind: 'page' }
  | { kind: 'service'; id: string }
  | { kind: 'incident'; id: string }
  | { kind: 'maintenance'; id: string };

/** The page a path names, or null for anything else (also for an id that is not valid percent-encoding). */
export function pageRoute(path: string): PageRoute | null {
  const match = PAGE_ROUTE.exec(path === '' ? '/' : path);
  if (!match) return null;
  const [, kind, encoded] = match;
  if (kind === undefined || encoded === undefined) return { kind: 'page' };
  let id: string;
  try {
    id = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  return kind === 'services'
    ? { kind: 'service', id }
    : kind === 'incidents'
      ? { kind: 'incident', id }
      : { kind: 'maintenance', id };
}

/** A last segment with a dot ("main-ABC.js", "favicon.ico"): a missing asset must never get index.html. */
export function looksLikeFile(path: string): boolean {
  return /\.[^/]*$/.test(path.replace(/\/+$/, '').split('/').pop() ?? '');
}

/**
 * Whether a path that matched no route is meant for the API once normalised the ways a client, proxy or CDN
 * might: percent-decoded ("%2f", "%61"), case-folded, ";params" dropped, "." segments and repeated slashes
 * removed. Such a path answers the API's JSON 404, never the dashboard.
 */
export function isApiPath(path: string): boolean {
  let decoded = path;
  for (let round = 0; round < 3; round += 1) {
    try {
      const next = decodeURIComponent(decoded);
      if (next === decoded) break;
      decoded = next;
    } catch {
      break;
    }
  }
  const segments = decoded
    .toLowerCase()
    .replace(/\\/g, '/')
    .split('/')
    .map((segment) => segment.replace(/;.*$/, '').trim())
    .filter((segment) => segment !== '' && segment !== '.');
  return segments[0] === 'api';
}
