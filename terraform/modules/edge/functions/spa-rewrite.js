// CloudFront Function (cloudfront-js-2.0), viewer request, default (S3) behaviour only: /api/* reaches the ALB
// without it. The dashboard's page routes get /index.html; any other path without a file extension gets
// /404.html, the same HTML uploaded with the marker that spa-not-found.js turns into a 404 status; files pass
// through unchanged (a missing one is S3's 403). Mirrors apps/api/src/web/page-routes.ts (PAGE_ROUTE is a copy;
// test/infra/edge-functions.spec.ts fails when they drift).

var PAGE_ROUTE = /^\/(?:|history\/?|admin(?:\/[^.]*)?|(services|incidents|maintenance)\/([^/]+)\/?)$/;
var APP_DOCUMENT = '/index.html';
var NOT_FOUND_DOCUMENT = '/404.html';

function looksLikeFile(uri) {
  var trimmed = uri.replace(/\/+$/, '');
  return /\.[^/]*$/.test(trimmed.slice(trimmed.lastIndexOf('/') + 1));
}

function isPageRoute(uri) {
  var match = PAGE_ROUTE.exec(uri);
  if (!match) return false;
  if (match[2] === undefined) return true;
  try {
    decodeURIComponent(match[2]);
    return true;
  } catch (e) {
    return false;
  }
}

function handler(event) {
  var request = event.request;
  if (looksLikeFile(request.uri)) return request;
  request.uri = isPageRoute(request.uri) ? APP_DOCUMENT : NOT_FOUND_DOCUMENT;
  return request;
}
