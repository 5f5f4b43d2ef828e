/**
 * The CloudFront Functions of the edge module, executed in Node as the files Terraform uploads: behind CloudFront a
 * path must answer what the local server (apps/api/src/web) answers — index.html with 200 for the dashboard's page
 * routes, the same HTML with 404 for any other page, the file (or an error) for anything with an extension, the API
 * for /api/*. Also pins what the functions and the deploy job must agree on (the 404 document and its marker).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { parse } from 'yaml';
import { PAGE_ROUTE, looksLikeFile, pageRoute } from '../../apps/api/src/web/page-routes.js';
import { parseAdminPath } from '../../apps/web/src/app/admin/admin-route.js';
import { parseRoute } from '../../apps/web/src/app/core/navigation/app-route.js';
import { type Body, first, nested, parseHcl, repoRoot, resources, str, text } from './hcl.js';

const EDGE = join(repoRoot, 'terraform/modules/edge');

interface Request {
  method: string;
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
}
interface Response {
  statusCode: number;
  statusDescription?: string;
  headers: Record<string, { value: string }>;
}

/** Loads a function file the way CloudFront does (a script with a global `handler`) and hands out its globals. */
function loadFunction(
  file: string,
  globals: string[],
): Record<string, unknown> & { handler: (event: unknown) => unknown } {
  const code = readFileSync(join(EDGE, 'functions', file), 'utf8');
  // CloudFront runs plain scripts: no module system, no Node globals.
  expect(code).not.toMatch(/\b(require|module\.exports|exports\.|import|export)\b/);
  return runInNewContext(`${code}\n;({ handler: handler, ${globals.map((name) => `${name}: ${name}`).join(', ')} })`, {
    console,
  }) as Record<string, unknown> & { handler: (event: unknown) => unknown };
}

const rewrite = loadFunction('spa-rewrite.js', ['PAGE_ROUTE', 'APP_DOCUMENT', 'NOT_FOUND_DOCUMENT']);
const notFound = loadFunction('spa-not-found.js', ['STATUS_HEADER']);
const NOT_FOUND_DOCUMENT = String(rewrite.NOT_FOUND_DOCUMENT);
const STATUS_HEADER = String(notFound.STATUS_HEADER);

/** The object key the viewer-request function asks S3 for. */
function rewritten(uri: string): string {
  const request: Request = { method: 'GET', uri, querystring: {}, headers: { host: { value: 'status.example.com' } } };
  return (rewrite.handler({ version: '1.0', context: { eventType: 'viewer-request' }, request }) as Request).uri;
}

function viewerResponse(response: Response): Response {
  return notFound.handler({ version: '1.0', context: { eventType: 'viewer-response' }, response }) as Response;
}

/** What the local server answers for a path (serve-dashboard.ts, without the id lookups): the same three cases. */
function locally(path: string): 'file' | 'page' | 'not-found' {
  if (looksLikeFile(path)) return 'file';
  return pageRoute(path) === null ? 'not-found' : 'page';
}

const PAGES = [
  '/',
  '/history',
  '/history/',
  '/services/checkout-api',
  '/services/checkout-api/',
  '/services/caf%C3%A9',
  '/incidents/inc-42',
  '/maintenance/mw-7',
  '/admin',
  '/admin/',
  '/admin/services',
  '/admin/services/new',
  '/admin/services/shop/edit',
  '/admin/incidents/inc-9',
  '/admin/audit',
];
const UNKNOWN = [
  '/nope',
  '/status',
  '/History',
  '/history/2',
  '/services',
  '/services/',
  '/services/a/b',
  '/services/%E0%A4%A',
  '/incidents',
  '/maintenance',
  '/administrator',
  '/admin/a.b/c',
  '//services/x',
  '/api',
  '/API/status',
];
const FILES = [
  '/index.html',
  '/404.html',
  '/config.json',
  '/main-ABCDEFGH.js',
  '/styles-ABCDEFGH.css',
  '/favicon.svg',
  '/robots.txt',
  '/media/logo.png',
  '/services/x.json',
  '/admin/x.y/',
];

describe('spa-rewrite (viewer request, S3 behaviour)', () => {
  it.each(PAGES)('serves index.html for the page route %s', (uri) => {
    expect(rewritten(uri)).toBe('/index.html');
  });

  it.each(UNKNOWN)('serves the 404 document for the unknown page %s', (uri) => {
    expect(rewritten(uri)).toBe('/404.html');
  });

  it.each(FILES)('leaves the file %s to S3 unchanged', (uri) => {
    expect(rewritten(uri)).toBe(uri);
  });

  it('carries the same page-route pattern as the API (apps/api/src/web/page-routes.ts)', () => {
    const copy = rewrite.PAGE_ROUTE as RegExp;
    expect({ source: copy.source, flags: copy.flags }).toEqual({ source: PAGE_ROUTE.source, flags: PAGE_ROUTE.flags });
  });

  it('classifies every path as the local server does: page, unknown page or file', () => {
    const segments = ['', 'history', 'services', 'incidents', 'maintenance', 'admin', 'x', 'a.b', '%E0%A4%A', 'new'];
    const paths = new Set([...PAGES, ...UNKNOWN, ...FILES]);
    for (const a of segments)
      for (const b of segments) {
        paths.add(`/${a}/${b}`);
        paths.add(`/${a}/${b}/`);
        for (const c of segments) paths.add(`/${a}/${b}/${c}`);
      }
    const edge = (path: string): string => {
      const key = rewritten(path);
      return key === path ? 'file' : key === '/index.html' ? 'page' : key === NOT_FOUND_DOCUMENT ? 'not-found' : key;
    };
    const disagreements = [...paths].filter((path) => edge(path) !== locally(path));
    expect(disagreements).toEqual([]);
    expect(paths.size).toBeGreaterThan(1000);
  });

  it('sends no page to the 404 document that the dashboard would render as a page', () => {
    // The app decides its view from the same path: an edge 404 must be its not-found view (also the console's).
    const view = (path: string): string => {
      const route = parseRoute(path);
      return route.kind === 'admin' ? `admin:${parseAdminPath(route.path).kind}` : route.kind;
    };
    expect(UNKNOWN.filter((path) => !view(path).endsWith('not-found'))).toEqual([]);
    expect(PAGES.filter((path) => view(path) === 'not-found')).toEqual([]);
  });
});

describe('spa-not-found (viewer response, S3 behaviour)', () => {
  const marked = (statusCode: number): Response => ({
    statusCode,
    headers: { 'content-type': { value: 'text/html' }, [STATUS_HEADER]: { value: '404' } },
  });

  it('answers 404 for the marked document and drops the marker', () => {
    const response = viewerResponse(marked(200));
    expect(response.statusCode).toBe(404);
    expect(response.statusDescription).toBe('Not Found');
    expect(Object.keys(response.headers)).toEqual(['content-type']);
  });

  it('leaves unmarked objects (index.html, assets) and S3 errors as they are', () => {
    for (const statusCode of [200, 403]) {
      const response = viewerResponse({ statusCode, headers: { 'content-type': { value: 'text/html' } } });
      expect(response).toEqual({ statusCode, headers: { 'content-type': { value: 'text/html' } } });
    }
  });

  it('keeps a 304 a 304 (the browser revalidates the 404 it holds)', () => {
    const response = viewerResponse(marked(304));
    expect(response.statusCode).toBe(304);
    expect(response.headers[STATUS_HEADER]).toBeUndefined();
  });
});

describe('the edge as a whole (behaviours from main.tf, functions, the objects the deploy job uploads)', () => {
  let distribution: Body;
  let functions: Record<string, Body>;
  let deployScript: string;

  beforeAll(async () => {
    const main = await parseHcl(join(EDGE, 'main.tf'), readFileSync(join(EDGE, 'main.tf'), 'utf8'));
    distribution = resources([main], 'aws_cloudfront_distribution')[0]!.body;
    functions = Object.fromEntries(
      resources([main], 'aws_cloudfront_function').map((block) => [block.name, block.body]),
    );
    const ci = parse(readFileSync(join(repoRoot, '.gitlab-ci.yml'), 'utf8')) as Record<string, { script: string[] }>;
    deployScript = ci['deploy:dashboard']!.script.join('\n');
  });

  it('uploads the functions from these files and runs them on the S3 behaviour only', () => {
    expect(functions.spa_rewrite?.code).toBe('${file("${path.module}/functions/spa-rewrite.js")}');
    expect(functions.spa_not_found?.code).toBe('${file("${path.module}/functions/spa-not-found.js")}');
    const associations = nested(first(distribution, 'default_cache_behavior'), 'function_association').map(
      (association) => [text(association.event_type), str(association.function_arn)],
    );
    expect(Object.fromEntries(associations)).toEqual({
      'viewer-request': '${aws_cloudfront_function.spa_rewrite.arn}',
      'viewer-response': '${aws_cloudfront_function.spa_not_found.arn}',
    });
    for (const behaviour of nested(distribution, 'ordered_cache_behavior'))
      expect(nested(behaviour, 'function_association')).toEqual([]);
    // Distribution-wide: an error response would also replace the API's JSON 403s and 404s.
    expect(nested(distribution, 'custom_error_response')).toEqual([]);
  });

  it('deploys the 404 document the function asks for, with the marker the response function reads', () => {
    const metadata = STATUS_HEADER.replace(/^x-amz-meta-/, '');
    expect(STATUS_HEADER).toMatch(/^x-amz-meta-[a-z0-9-]+$/);
    expect(deployScript).toMatch(
      new RegExp(
        `aws s3 cp dist/web/browser/index\\.html "s3://\\$DASHBOARD_BUCKET${NOT_FOUND_DOCUMENT.replace('.', '\\.')}"[^\\n]*--metadata ${metadata}=404`,
      ),
    );
    // The sync's --delete must not remove it (it is not in the build output).
    expect(deployScript).toContain(`--exclude ${NOT_FOUND_DOCUMENT.slice(1)}`);
  });

  /** Status and origin for a GET through CloudFront: behaviour by path pattern, functions, then the bucket. */
  function throughCloudFront(path: string): { origin: string; status: number; key?: string } {
    const matches = (pattern: string): boolean =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      ).test(path);
    const behaviour = nested(distribution, 'ordered_cache_behavior').find((b) => matches(text(b.path_pattern)));
    if (behaviour) return { origin: str(behaviour.target_origin_id) ?? '', status: 0 };
    const bucket: Record<string, Record<string, { value: string }>> = {
      '/index.html': {},
      [NOT_FOUND_DOCUMENT]: { [STATUS_HEADER]: { value: '404' } },
      '/main-ABCDEFGH.js': {},
      '/config.json': {},
    };
    const key = rewritten(path);
    const object = bucket[key];
    // OAC without s3:ListBucket: a missing key is S3's 403.
    const response = viewerResponse(
      object ? { statusCode: 200, headers: { ...object } } : { statusCode: 403, headers: {} },
    );
    return { origin: 'dashboard-s3', status: response.statusCode, key };
  }

  it.each([
    ['/', 200, '/index.html'],
    ['/services/checkout-api', 200, '/index.html'],
    ['/admin/services/new', 200, '/index.html'],
    ['/nope', 404, '/404.html'],
    ['/services/a/b', 404, '/404.html'],
    ['/api', 404, '/404.html'],
    ['/main-ABCDEFGH.js', 200, '/main-ABCDEFGH.js'],
    ['/missing-ABCDEFGH.js', 403, '/missing-ABCDEFGH.js'],
  ])('answers %s with %i (%s from S3)', (path, status, key) => {
    expect(throughCloudFront(path)).toEqual({ origin: 'dashboard-s3', status, key });
  });

  it.each(['/api/status', '/api/nope', '/api/services/unknown', '/api/admin/services'])(
    'hands %s to the API untouched (its own 404s stay JSON)',
    (path) => {
      expect(throughCloudFront(path).origin).toBe('${local.api_origin_id}');
    },
  );
});
