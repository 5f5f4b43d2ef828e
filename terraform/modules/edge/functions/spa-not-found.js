// CloudFront Function (cloudfront-js-2.0), viewer response, default (S3) behaviour only. S3 answers 200 for
// /404.html (the object exists); the deploy uploads it with user metadata http-status=404, which S3 returns as
// this header, and which this function turns into the status. A function rather than a custom_error_response:
// error responses apply to the whole distribution and would also replace the API's own JSON 403s and 404s.

var STATUS_HEADER = 'x-amz-meta-http-status';

function handler(event) {
  var response = event.response;
  var marker = response.headers[STATUS_HEADER];
  if (marker === undefined) return response;
  delete response.headers[STATUS_HEADER];
  // Only a full answer becomes the 404; a 304 revalidates the 404 the browser already holds.
  if (response.statusCode === 200 && marker.value === '404') {
    response.statusCode = 404;
    response.statusDescription = 'Not Found';
  }
  return response;
}
