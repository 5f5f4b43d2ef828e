/**
 * The bad-input corpus for the admin services API: every request here must be refused with the right 4xx and a
 * message naming the field, and must leave the catalog untouched. admin-validation.spec.ts runs it.
 */

/** The file-owned service (read-only at run time). */
export const CONFIG_ID = 'cfg-main';
/** Services created through the API before the corpus runs, so PUT / PATCH / DELETE have targets. */
export const API_ONE = {
  id: 'api-one',
  name: 'API one',
  group: 'Core',
  url: 'https://example.com/one',
  interval: '30s',
  timeout: '10s',
  latencyThresholdMs: 800,
  paused: true,
};
export const API_TWO = { id: 'api-two', name: 'API two', url: 'https://example.org/two', paused: true };

export const SERVICES_YAML = `services:
  - id: ${CONFIG_ID}
    name: Config service
    url: https://example.com/
    paused: true
`;

export type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET';

export interface BadCase {
  name: string;
  method: Method;
  /** Path under `base` ('' for the collection); ":incident" stands for the incident the spec opens first. */
  path: string;
  /** The collection: /api/admin/services unless given. */
  base?: '/api/admin/services' | '/api/admin/incidents' | '/api/admin/maintenance';
  /** A raw string or bytes are sent as they are; anything else is JSON-encoded; undefined sends no body. */
  body?: { raw: string } | { bytes: number[] } | { json: unknown };
  /** Extra request headers; an array sends the header that many times. */
  headers?: Record<string, string | string[]>;
  /** Content-Type header; null sends none. Defaults to application/json when there is a body. */
  contentType?: string | null;
  auth?: 'wrong' | 'none';
  status: 400 | 401 | 404 | 409 | 413 | 414 | 415;
  /** Must appear in the message (and, for a 400, in some details[].path). */
  field: string;
  /** The offending value as the message must render it (JSON-encoded, truncated to 80 characters). */
  echo?: string;
}

const cases: BadCase[] = [];
let serial = 0;

/** POST a definition: a valid base with `overrides` applied (undefined removes a field). Each gets its own id. */
function post(
  name: string,
  overrides: Record<string, unknown>,
  status: BadCase['status'],
  field: string,
  echo?: string,
) {
  serial += 1;
  const body = { id: `bad-${serial}`, name: 'Bad case', url: 'https://example.com/health', paused: true, ...overrides };
  cases.push({ name: `POST ${name}`, method: 'POST', path: '', body: { json: body }, status, field, echo });
}
function postRaw(name: string, raw: string, status: BadCase['status'], field: string, contentType?: string | null) {
  cases.push({ name: `POST ${name}`, method: 'POST', path: '', body: { raw }, contentType, status, field });
}
/** PUT api-one with a raw body. */
function putRaw(name: string, raw: string, status: BadCase['status'], field: string) {
  cases.push({ name: `PUT ${name}`, method: 'PUT', path: `/${API_ONE.id}`, body: { raw }, status, field });
}
/** PUT api-one with its full definition plus overrides. */
function put(
  name: string,
  overrides: Record<string, unknown>,
  status: BadCase['status'],
  field: string,
  echo?: string,
) {
  cases.push({
    name: `PUT ${name}`,
    method: 'PUT',
    path: `/${API_ONE.id}`,
    body: { json: { ...API_ONE, ...overrides } },
    status,
    field,
    echo,
  });
}
function patch(name: string, body: unknown, status: BadCase['status'], field: string, echo?: string, id = API_ONE.id) {
  cases.push({ name: `PATCH ${name}`, method: 'PATCH', path: `/${id}`, body: { json: body }, status, field, echo });
}
function patchRaw(name: string, raw: string, status: BadCase['status'], field: string, contentType?: string | null) {
  cases.push({
    name: `PATCH ${name}`,
    method: 'PATCH',
    path: `/${API_ONE.id}`,
    body: { raw },
    contentType,
    status,
    field,
  });
}

// ---------------------------------------------------------------- malformed JSON and non-object bodies
for (const [name, raw] of [
  ['truncated object', '{'],
  ['missing value', '{"id":}'],
  ['single quotes', "{'id':'x'}"],
  ['trailing comma', '{"id":"x",}'],
  ['bare word', 'undefined'],
  ['NaN literal', '{"failureThreshold": NaN}'],
  ['comment', '{"id":"x" /* hi */}'],
  ['byte-order mark', '\uFEFF{"id":"x"}'],
  ['two documents', '{"id":"x"}{"id":"y"}'],
  ['unterminated string', '{"id":"x'],
] as const) {
  postRaw(`malformed JSON: ${name}`, raw, 400, '(body)');
}
patchRaw('malformed JSON', '{"paused":tru}', 400, '(body)');
putRaw('malformed JSON', '[1,2', 400, '(body)');
postRaw('empty body', '', 400, '(body)');
postRaw('whitespace body', '   \n ', 400, '(body)');
postRaw('null body', 'null', 400, '(body)');
postRaw('array body', '[{"id":"x","name":"x","url":"https://example.com/"}]', 400, '(body)');
postRaw('number body', '42', 400, '(body)');
postRaw('string body', '"hello"', 400, '(body)');
postRaw('boolean body', 'true', 400, '(body)');
patchRaw('null body', 'null', 400, '(body)');
patchRaw('array body', '[]', 400, '(body)');
patchRaw('string body', '"paused"', 400, '(body)');
patchRaw('empty body', '', 400, '(body)');
putRaw('null body', 'null', 400, '(body)');
putRaw('number body', '7', 400, '(body)');

// ---------------------------------------------------------------- prototype pollution and unknown fields
postRaw(
  '__proto__ at the top level',
  '{"id":"p1","name":"x","url":"https://example.com/","__proto__":{"paused":true}}',
  400,
  '__proto__',
);
postRaw(
  '__proto__ with a scalar',
  '{"id":"p2","name":"x","url":"https://example.com/","__proto__":1}',
  400,
  '__proto__',
);
postRaw(
  '__proto__ inside slo',
  '{"id":"p3","name":"x","url":"https://example.com/","slo":{"target":99,"__proto__":{"x":1}}}',
  400,
  '__proto__',
);
postRaw(
  'constructor.prototype',
  '{"id":"p4","name":"x","url":"https://example.com/","constructor":{"prototype":{"x":1}}}',
  400,
  'constructor',
);
postRaw(
  'constructor as a scalar',
  '{"id":"p5","name":"x","url":"https://example.com/","constructor":1}',
  400,
  'constructor',
);
postRaw(
  'escaped __proto__ key',
  '{"id":"p6","name":"x","url":"https://example.com/","\\u005f_proto__":{}}',
  400,
  '__proto__',
);
patchRaw('__proto__', '{"__proto__":{"paused":false}}', 400, '__proto__');
patchRaw('constructor.prototype', '{"constructor":{"prototype":{"paused":false}}}', 400, 'constructor');
post('unknown field', { color: 'red' }, 400, 'color');
post('unknown field "source"', { source: 'config' }, 400, 'source');
post('unknown field "state"', { state: 'up' }, 400, 'state');
post('unknown field "prototype"', { prototype: {} }, 400, 'prototype');
post('unknown field "toString"', { toString: 'x' }, 400, 'toString');
post('unknown field "hasOwnProperty"', { hasOwnProperty: 1 }, 400, 'hasOwnProperty');
post('nested unknown field in slo', { slo: { target: 99, extra: true } }, 400, 'slo.extra');
patch('unknown field', { colour: 'blue' }, 400, 'colour');
patch('source', { source: 'config' }, 400, 'source');
patch('nested unknown field in slo', { slo: { target: 99.5, window: '30d', burn: 2 } }, 400, 'slo.burn');
put('unknown field', { extra: 1 }, 400, 'extra');

postRaw(
  '2000 unknown fields',
  JSON.stringify(
    Object.fromEntries([
      ['id', 'many'],
      ['name', 'x'],
      ['url', 'https://example.com/'],
      ...Array.from({ length: 2000 }, (_, i) => [`f${i}`, i]),
    ]),
  ),
  400,
  'f0',
);
// Too deep for the parser: refused as a whole, never a 500.
postRaw(
  'expectedStatus nested 10000 deep',
  `{"id":"deep-1","name":"x","url":"https://example.com/","expectedStatus":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
  400,
  '(body)',
);
post('slo nested 5 deep', { slo: { target: 99, a: { b: { c: { d: 1 } } } } }, 400, 'slo.a');
postRaw(
  'slo nested 10000 deep',
  `{"id":"deep-2","name":"x","url":"https://example.com/","slo":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
  400,
  '(body)',
);
postRaw(
  'unknown field nested 10000 deep',
  `{"id":"deep-3","name":"x","url":"https://example.com/","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
  400,
  '(body)',
);

// ---------------------------------------------------------------- id
post('missing id', { id: undefined }, 400, 'id', 'is required');
post('id as a number', { id: 123 }, 400, 'id', '123');
post('id null', { id: null }, 400, 'id', 'null');
post('empty id', { id: '' }, 400, 'id', '""');
post('id with "/"', { id: 'a/b' }, 400, 'id', '"a/b"');
post('id ".."', { id: '..' }, 400, 'id', '".."');
post('id "../etc"', { id: '../etc' }, 400, 'id', '"../etc"');
post('id with a space', { id: 'a b' }, 400, 'id', '"a b"');
post('id of 200 characters', { id: 'a'.repeat(200) }, 400, 'id', `"${'a'.repeat(76)}...`);
post('id of 64 characters', { id: 'a'.repeat(64) }, 400, 'id');
post('id in upper case', { id: 'Checkout' }, 400, 'id', '"Checkout"');
post('id starting with "-"', { id: '-abc' }, 400, 'id');
post('id with a newline', { id: 'a\nb' }, 400, 'id', '"a\\nb"');
post('id with HTML', { id: '<script>alert(1)</script>' }, 400, 'id', '"<script>alert(1)</script>"');
post('id with a NUL byte', { id: 'a\u0000b' }, 400, 'id', '"a\\u0000b"');
post('id with non-ASCII', { id: 'café' }, 400, 'id');
post('id as an array', { id: ['a'] }, 400, 'id');

// ---------------------------------------------------------------- name and group
post('missing name', { name: undefined }, 400, 'name', 'is required');
post('empty name', { name: '' }, 400, 'name', '""');
post('name of 101 characters', { name: 'n'.repeat(101) }, 400, 'name');
post('name as a number', { name: 5 }, 400, 'name', '5');
post('name as an object', { name: { en: 'x' } }, 400, 'name');
post('huge name (60 KB)', { name: 'x'.repeat(60_000) }, 400, 'name', `"${'x'.repeat(76)}...`);
post('huge group (60 KB)', { group: 'g'.repeat(60_000) }, 400, 'group', `"${'g'.repeat(76)}...`);
post('huge interval (60 KB)', { interval: '1'.repeat(60_000) }, 400, 'interval');
post('huge method (60 KB)', { method: 'G'.repeat(60_000) }, 400, 'method');
post('huge slo.window (60 KB)', { slo: { target: 99, window: `${'9'.repeat(60_000)}d` } }, 400, 'slo.window');
post('huge expectedStatus entry (60 KB)', { expectedStatus: ['2'.repeat(60_000)] }, 400, 'expectedStatus');
post('empty group', { group: '' }, 400, 'group', '""');
post('group of 61 characters', { group: 'g'.repeat(61) }, 400, 'group');
post('group as a boolean', { group: true }, 400, 'group', 'true');
patch('empty name', { name: '' }, 400, 'name');
patch('name of 101 characters', { name: 'n'.repeat(101) }, 400, 'name');
patch('group of 61 characters', { group: 'g'.repeat(61) }, 400, 'group');
put('missing name', { name: undefined }, 400, 'name');

// ---------------------------------------------------------------- url: shape, scheme, credentials, size
post('missing url', { url: undefined }, 400, 'url', 'is required');
post('url as a number', { url: 42 }, 400, 'url');
post('url as an object', { url: { href: 'https://example.com/' } }, 400, 'url');
post('empty url', { url: '' }, 400, 'url');
post('url without a scheme', { url: 'example.com/health' }, 400, 'url', '"example.com/health"');
post('scheme-relative url', { url: '//example.com/' }, 400, 'url');
post('url of 3000 characters', { url: `https://example.com/${'a'.repeat(2980)}` }, 400, 'url');
post('huge url (60 KB)', { url: `https://example.com/${'a'.repeat(60_000)}` }, 400, 'url');
for (const url of [
  'file:///etc/passwd',
  'file://localhost/etc/shadow',
  'ftp://example.com/pub/',
  'gopher://example.com:70/_GET%20/',
  'javascript:alert(1)',
  'JAVASCRIPT:alert(document.cookie)',
  'data:text/html,<script>alert(1)</script>',
  'ws://example.com/socket',
  'dict://example.com:11211/stat',
  'ldap://example.com/',
]) {
  post(`scheme ${url.split(':')[0]}: ${url}`, { url }, 400, 'url', JSON.stringify(url));
}
post('credentials in the url', { url: 'http://user:pass@example.com/' }, 400, 'url');
post('user name in the url', { url: 'https://admin@example.com/' }, 400, 'url');
post('password only in the url', { url: 'https://:secret@example.com/' }, 400, 'url');
post('unparseable port', { url: 'https://example.com:99999/' }, 400, 'url');
post('space in the host', { url: 'https://exa mple.com/' }, 400, 'url');
patch('url with scheme ftp', { url: 'ftp://example.com/' }, 400, 'url');
patch('url null', { url: null }, 400, 'url');
put('url with credentials', { url: 'https://u:p@example.com/' }, 400, 'url');

// ---------------------------------------------------------------- url: SSRF (TARGET_ALLOW_CIDRS is 192.0.2.0/24)
for (const url of [
  // loopback in every spelling WHATWG accepts
  'http://127.0.0.1/',
  'http://127.0.0.1:8080/admin',
  'http://127.1/',
  'http://127.0.1/',
  'http://0x7f000001/',
  'http://0x7f.0.0.1/',
  'http://2130706433/',
  'http://017700000001/',
  'http://0177.0.0.1/',
  'http://0177.0000.0000.0001/',
  'http://127.0.0.1./',
  'http://127.0.0.1%2e/',
  'http://%31%32%37.0.0.1/',
  'http://①②⑦.0.0.1/',
  'http://127.255.255.254/',
  'HTTP://127.0.0.1/',
  'http://12\t7.0.0.1/',
  'http://127.0.0.1\n/',
  'http:\\\\127.0.0.1\\',
  'http:127.0.0.1/',
  'http:/127.0.0.1/',
  'http://127.0.0.1#@example.com/',
  'http://127.0.0.1?@example.com/',
  'http://127\u30020\u30020\u30021/',
  'http://\uff11\uff12\uff17.0.0.1/',
  'http://0/',
  'http://0.0.0.0/',
  'http://[::1]/',
  'http://[0:0:0:0:0:0:0:1]/',
  'http://[::]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[0:0:0:0:0:ffff:127.0.0.1]/',
  'http://[::127.0.0.1]/',
  // cloud metadata
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.169.254./',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://0xA9FEA9FE/',
  'http://0xa9fea9fe/',
  'http://0x00a9fea9fe/',
  'http://2852039166/',
  'http://0251.0376.0251.0376/',
  'http://00000251.0376.0251.0376/',
  'http://0xa9.0xfe.0xa9.0xfe/',
  'http://169.254.43518/',
  'http://169.16689662/',
  'http://0251.254.169.254/',
  'http://169.254.0.1/',
  // private, shared, multicast, reserved
  'http://10.0.0.1/',
  'http://167772161/',
  'http://0xa000001/',
  'http://012.0.0.1/',
  'http://10.1/',
  'http://0x0a.0.0.1/',
  'http://172.16.0.1/',
  'http://172.31.255.255/',
  'http://192.168.1.1/',
  'http://100.64.0.1/',
  'http://198.18.0.1/',
  'http://192.0.0.1/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  // IPv6 unique-local, link-local, multicast, IPv4-compatible
  'http://[fd00::1]/',
  'http://[fc00::1]/',
  'http://[fe80::1]/',
  'http://[febf::1]/',
  'http://[ff02::1]/',
  'http://[::10.0.0.1]/',
  'https://[::ffff:10.0.0.1]:8443/',
]) {
  post(`SSRF ${JSON.stringify(url)}`, { url }, 400, 'url', JSON.stringify(url).slice(0, 77));
}
post('SSRF link-local with a zone id', { url: 'http://[fe80::1%25eth0]/' }, 400, 'url');
patch('SSRF metadata address', { url: 'http://169.254.169.254/' }, 400, 'url');
patch('SSRF decimal metadata address', { url: 'http://2852039166/' }, 400, 'url');
put('SSRF loopback', { url: 'http://127.0.0.1:22/' }, 400, 'url');
put('SSRF IPv4-mapped loopback', { url: 'http://[::ffff:127.0.0.1]/' }, 400, 'url');

// ---------------------------------------------------------------- method
post('method PUT', { method: 'PUT' }, 400, 'method', '"PUT"');
post('method in lower case', { method: 'get' }, 400, 'method', '"get"');
post('method OPTIONS', { method: 'OPTIONS' }, 400, 'method');
post('empty method', { method: '' }, 400, 'method');
post('method as a number', { method: 1 }, 400, 'method');
patch('method DELETE', { method: 'DELETE' }, 400, 'method');

// ---------------------------------------------------------------- check kinds (issue 12)
post('kind unknown', { kind: 'smtp' }, 400, 'kind', '"smtp"');
post('kind as a number', { kind: 5 }, 400, 'kind', '5');
post('kind null', { kind: null }, 400, 'kind', 'null');
post('dns options on an http service', { dns: { name: 'example.com', type: 'A' } }, 400, 'dns');
post('tcp options on an http service', { tcp: { tls: true } }, 400, 'tcp');
post('heartbeat options on an http service', { heartbeat: { grace: '1m' } }, 400, 'heartbeat');
post('url on a dns service', { kind: 'dns', dns: { name: 'example.com', type: 'A' } }, 400, 'url');
post('method on a tcp service', { kind: 'tcp', url: 'tcp://example.com:22', method: 'GET' }, 400, 'method');
post('assertions on a heartbeat service', { kind: 'heartbeat', url: undefined, assertions: {} }, 400, 'assertions');
post('dns service without dns', { kind: 'dns', url: undefined }, 400, 'dns', 'is required');
post('tcp service without url', { kind: 'tcp', url: undefined }, 400, 'url', 'is required');
patch('switch to dns without dns', { kind: 'dns' }, 400, 'dns');
patch('dns options on the http service', { dns: { name: 'example.com', type: 'A' } }, 400, 'dns');
put('tcp url on an http service', { url: 'tcp://example.com:22' }, 400, 'url', '"tcp://example.com:22"');

// ---------------------------------------------------------------- tcp:// targets (shape and SSRF)
const tcp = (name: string, url: unknown, echo?: string) =>
  post(`tcp ${name}`, { kind: 'tcp', url }, 400, 'url', echo ?? JSON.stringify(url));
tcp('http scheme', 'https://example.com/');
tcp('without a port', 'tcp://example.com');
tcp('port 0', 'tcp://example.com:0');
tcp('port 70000', 'tcp://example.com:70000');
// The password is never echoed back (an error line reaches logs and screens).
tcp('with credentials', 'tcp://user:pass@example.com:22', '"tcp://user:[redacted]@example.com:22"');
tcp('with a path', 'tcp://example.com:22/x');
tcp('with a query', 'tcp://example.com:22?x=1');
tcp('with a space', 'tcp://exa mple.com:22');
tcp('with a CR/LF', 'tcp://example.com:22\r\n');
for (const url of [
  'tcp://127.0.0.1:22',
  'tcp://127.1:6379',
  'tcp://0x7f000001:22',
  'tcp://2130706433:5432',
  'tcp://0177.0.0.1:22',
  'tcp://[::1]:22',
  'tcp://[::ffff:127.0.0.1]:22',
  'tcp://169.254.169.254:80',
  'tcp://0xA9FEA9FE:80',
  'tcp://[fd00::1]:5432',
  'tcp://10.0.0.1:5432',
  'tcp://192.168.1.1:3306',
  'tcp://0.0.0.0:22',
]) {
  post(`SSRF ${JSON.stringify(url)}`, { kind: 'tcp', url }, 400, 'url', JSON.stringify(url));
}
patch('SSRF tcp loopback', { kind: 'tcp', url: 'tcp://127.0.0.1:22' }, 400, 'url');
post(
  'tcp.send too long',
  { kind: 'tcp', url: 'tcp://example.com:22', tcp: { send: 'x'.repeat(1025) } },
  400,
  'tcp.send',
);
post('tcp.expect empty', { kind: 'tcp', url: 'tcp://example.com:22', tcp: { expect: '' } }, 400, 'tcp.expect', '""');
post('tcp.tls as text', { kind: 'tcp', url: 'tcp://example.com:22', tcp: { tls: 'yes' } }, 400, 'tcp.tls', '"yes"');
post('tcp as a list', { kind: 'tcp', url: 'tcp://example.com:22', tcp: [{ tls: true }] }, 400, 'tcp');
post('tcp unknown field', { kind: 'tcp', url: 'tcp://example.com:22', tcp: { banner: 'x' } }, 400, 'tcp.banner');

// ---------------------------------------------------------------- dns
const dns = (name: string, options: unknown, field: string, echo?: string) =>
  post(`dns ${name}`, { kind: 'dns', url: undefined, dns: options }, 400, field, echo);
dns('name with a space', { name: 'bad name', type: 'A' }, 'dns.name', '"bad name"');
dns('name with a CR/LF', { name: 'example.com\r\nx', type: 'A' }, 'dns.name');
dns('name of 300 characters', { name: `${'a'.repeat(60)}.`.repeat(5), type: 'A' }, 'dns.name');
dns('name with an empty label', { name: 'a..b', type: 'A' }, 'dns.name', '"a..b"');
dns('name missing', { type: 'A' }, 'dns.name', 'is required');
dns('type SRV', { name: 'example.com', type: 'SRV' }, 'dns.type', '"SRV"');
dns('type in lower case', { name: 'example.com', type: 'a' }, 'dns.type', '"a"');
dns('server a host name', { name: 'example.com', type: 'A', server: 'dns.example.com' }, 'dns.server');
dns('server with port 99999', { name: 'example.com', type: 'A', server: '9.9.9.9:99999' }, 'dns.server');
dns('server with a path', { name: 'example.com', type: 'A', server: 'https://9.9.9.9/dns-query' }, 'dns.server');
for (const server of [
  '127.0.0.1',
  '127.0.0.53:53',
  '169.254.169.254',
  '[::1]:53',
  '::1',
  '10.0.0.2',
  '[fd00::53]:5353',
  '0.0.0.0',
]) {
  dns(`SSRF server ${server}`, { name: 'example.com', type: 'A', server }, 'dns.server', JSON.stringify(server));
}
dns('expect not a list', { name: 'example.com', type: 'A', expect: '1.2.3.4' }, 'dns.expect');
dns(
  'expect with 21 values',
  { name: 'example.com', type: 'A', expect: Array.from({ length: 21 }, (_, i) => `1.2.3.${i}`) },
  'dns.expect',
);
dns('expect with an empty value', { name: 'example.com', type: 'A', expect: [''] }, 'dns.expect');
dns('as a string', 'example.com', 'dns', '"example.com"');

// ---------------------------------------------------------------- heartbeat
const heartbeat = (name: string, options: unknown, field: string, echo?: string) =>
  post(`heartbeat ${name}`, { kind: 'heartbeat', url: undefined, heartbeat: options }, 400, field, echo);
heartbeat('grace of 25h', { grace: '25h' }, 'heartbeat.grace', '"25h"');
heartbeat('grace as a number', { grace: 60 }, 'heartbeat.grace', '60');
heartbeat('token hash too short', { tokenHash: 'abc' }, 'heartbeat.tokenHash', '"abc"');
heartbeat('token hash in upper case', { tokenHash: 'A'.repeat(64) }, 'heartbeat.tokenHash');
heartbeat('as a list', [{ grace: '1m' }], 'heartbeat');
heartbeat('unknown field', { token: 'hb.x.y' }, 'heartbeat.token');

// ---------------------------------------------------------------- request options: method, body, redirects, TLS
post('body with GET', { body: '{}' }, 400, 'body', '"{}"');
post('body of 4097 bytes', { method: 'POST', body: 'x'.repeat(4097) }, 400, 'body');
post('body of 2049 two-byte characters (4098 bytes)', { method: 'POST', body: 'é'.repeat(2049) }, 400, 'body');
post('huge body (60 KB)', { method: 'POST', body: 'x'.repeat(60_000) }, 400, 'body');
post('body as an object', { method: 'POST', body: { ping: true } }, 400, 'body');
post('followRedirects as text', { followRedirects: 'yes' }, 400, 'followRedirects', '"yes"');
post('insecureTls as a number', { insecureTls: 1 }, 400, 'insecureTls', '1');
post('certExpiryWarningDays 0', { certExpiryWarningDays: 0 }, 400, 'certExpiryWarningDays', '0');
post('certExpiryWarningDays 366', { certExpiryWarningDays: 366 }, 400, 'certExpiryWarningDays', '366');
post('certExpiryWarningDays 1.5', { certExpiryWarningDays: 1.5 }, 400, 'certExpiryWarningDays', '1.5');
post(
  'certExpiryWarningDays on a heartbeat',
  { kind: 'heartbeat', url: undefined, certExpiryWarningDays: 7 },
  400,
  'certExpiryWarningDays',
);

// ---------------------------------------------------------------- request headers: injection, reserved names, secrets
const header = (name: string, headers: unknown, field: string, echo?: string) =>
  post(`headers: ${name}`, { headers }, 400, field, echo);
header('name with CR/LF', [{ name: 'X-A\r\nX-Injected', value: '1' }], 'headers[0].name', '"X-A\\r\\nX-Injected"');
header('name with a space', [{ name: 'X A', value: '1' }], 'headers[0].name', '"X A"');
header('name with a colon', [{ name: 'X-A:', value: '1' }], 'headers[0].name');
header('empty name', [{ name: '', value: '1' }], 'headers[0].name', '""');
header(
  'value with CR/LF (header injection)',
  [{ name: 'X-A', value: 'v\r\nX-Injected: 1' }],
  'headers[0].value',
  '"v\\r\\nX-Injected: 1"',
);
header('value with a bare LF', [{ name: 'X-A', value: 'v\nX-Injected: 1' }], 'headers[0].value');
header('value with a NUL byte', [{ name: 'X-A', value: 'v\u0000' }], 'headers[0].value');
header('value with non-ASCII', [{ name: 'X-A', value: 'café' }], 'headers[0].value');
header('value of 1025 characters', [{ name: 'X-A', value: 'v'.repeat(1025) }], 'headers[0].value');
header(
  'secret value with CR/LF: refused, value never echoed',
  [{ name: 'X-Key', value: 's3cr3t\r\nX: 1', secret: true }],
  'headers[0].value',
  '"(redacted)"',
);
header(
  'secret value as the placeholder with nothing stored',
  [{ name: 'X-Key', value: '(redacted)', secret: true }],
  'headers[0].value',
);
for (const reserved of [
  'Host',
  'content-length',
  'Transfer-Encoding',
  'Connection',
  'Upgrade',
  'TE',
  'Expect',
  'Proxy-Authorization',
]) {
  header(`reserved name ${reserved}`, [{ name: reserved, value: 'x' }], 'headers[0].name', JSON.stringify(reserved));
}
header(
  'the same name twice (case-insensitive)',
  [
    { name: 'X-A', value: '1' },
    { name: 'x-a', value: '2' },
  ],
  'headers[1].name',
  '"x-a"',
);
header(
  '21 headers',
  Array.from({ length: 21 }, (_, i) => ({ name: `X-H${i}`, value: 'v' })),
  'headers',
);
header('not a list', { 'X-A': '1' }, 'headers');
header('missing value', [{ name: 'X-A' }], 'headers[0].value', 'is required');
header('secret as text', [{ name: 'X-A', value: '1', secret: 'yes' }], 'headers[0].secret', '"yes"');
header('unknown field', [{ name: 'X-A', value: '1', sensitive: true }], 'headers[0].sensitive');
post(
  'Authorization header together with auth',
  { headers: [{ name: 'Authorization', value: 'Bearer x' }], auth: { type: 'bearer', token: 't' } },
  400,
  'headers[0].name',
);
patch('header injection', { headers: [{ name: 'X-A', value: 'a\r\nb' }] }, 400, 'headers[0].value');
put('header injection', { headers: [{ name: 'X-A', value: 'a\r\nb' }] }, 400, 'headers[0].value');

// ---------------------------------------------------------------- auth (always secret)
const auth = (name: string, value: unknown, field: string, echo?: string) =>
  post(`auth: ${name}`, { auth: value }, 400, field, echo);
auth('type digest', { type: 'digest', username: 'u', password: 'p' }, 'auth.type', '"digest"');
auth('basic without a password', { type: 'basic', username: 'u' }, 'auth.password', 'is required');
auth('basic without a user name', { type: 'basic', password: 'p' }, 'auth.username', 'is required');
auth('basic user name with ":"', { type: 'basic', username: 'a:b', password: 'p' }, 'auth.username');
auth('bearer without a token', { type: 'bearer' }, 'auth.token', 'is required');
auth('bearer with a user name', { type: 'bearer', token: 't', username: 'u' }, 'auth.username');
auth(
  'bearer token with CR/LF: refused, never echoed',
  { type: 'bearer', token: 'abc\r\nX: 1' },
  'auth.token',
  '"(redacted)"',
);
auth(
  'password with CR/LF: refused, never echoed',
  { type: 'basic', username: 'u', password: 'p\r\nX: 1' },
  'auth.password',
  '"(redacted)"',
);
auth('token as the placeholder with nothing stored', { type: 'bearer', token: '(redacted)' }, 'auth.token');
auth('as a string', 'Bearer abc', 'auth', '"(redacted)"');
auth('token of 1025 characters', { type: 'bearer', token: 't'.repeat(1025) }, 'auth.token');

// ---------------------------------------------------------------- response assertions
const assertions = (name: string, value: unknown, field: string, echo?: string) =>
  post(`assertions: ${name}`, { assertions: value }, 400, field, echo);
assertions('bad regex', { matches: ['(unclosed'] }, 'assertions.matches');
assertions('backreference (not RE2)', { matches: ['(a)\\1'] }, 'assertions.matches');
assertions('lookahead (not RE2)', { matches: ['a(?=b)'] }, 'assertions.matches');
assertions('pattern of 201 characters', { matches: ['a'.repeat(201)] }, 'assertions.matches');
assertions('empty pattern', { matches: [''] }, 'assertions.matches');
assertions('11 patterns', { matches: Array.from({ length: 11 }, () => 'a') }, 'assertions.matches');
assertions('matches not a list', { matches: '^OK' }, 'assertions.matches', '"^OK"');
assertions('contains an empty string', { contains: [''] }, 'assertions.contains');
assertions('contains of 201 characters', { contains: ['c'.repeat(201)] }, 'assertions.contains');
assertions('contains a number', { contains: [5] }, 'assertions.contains');
assertions('notContains null item', { notContains: [null] }, 'assertions.notContains');
assertions(
  'JSONPath without $',
  { json: [{ path: 'status', operator: 'exists' }] },
  'assertions.json[0].path',
  '"status"',
);
assertions(
  'JSONPath recursive descent',
  { json: [{ path: '$..status', operator: 'exists' }] },
  'assertions.json[0].path',
);
assertions('JSONPath wildcard', { json: [{ path: '$.items[*]', operator: 'exists' }] }, 'assertions.json[0].path');
assertions('JSONPath filter', { json: [{ path: '$.items[?(@.ok)]', operator: 'exists' }] }, 'assertions.json[0].path');
assertions('JSONPath unclosed quote', { json: [{ path: "$['a", operator: 'exists' }] }, 'assertions.json[0].path');
assertions(
  'JSONPath of 300 characters',
  { json: [{ path: `$${'.a'.repeat(150)}`, operator: 'exists' }] },
  'assertions.json[0].path',
);
assertions(
  'JSON operator ~=',
  { json: [{ path: '$.a', operator: '~=', value: 'x' }] },
  'assertions.json[0].operator',
  '"~="',
);
assertions(
  '< with a string',
  { json: [{ path: '$.a', operator: '<', value: '5' }] },
  'assertions.json[0].value',
  '"5"',
);
assertions(
  'exists with a value',
  { json: [{ path: '$.a', operator: 'exists', value: true }] },
  'assertions.json[0].value',
  'true',
);
assertions(
  '== without a value',
  { json: [{ path: '$.a', operator: '==' }] },
  'assertions.json[0].value',
  'is required',
);
assertions('value an object', { json: [{ path: '$.a', operator: '==', value: { b: 1 } }] }, 'assertions.json[0].value');
assertions('value null', { json: [{ path: '$.a', operator: '==', value: null }] }, 'assertions.json[0].value', 'null');
assertions(
  'header assertion name with CR/LF',
  { headers: [{ name: 'a\r\nb', operator: 'exists' }] },
  'assertions.headers[0].name',
);
assertions(
  'header operator matches',
  { headers: [{ name: 'etag', operator: 'matches', value: 'x' }] },
  'assertions.headers[0].operator',
  '"matches"',
);
assertions(
  'header == without a value',
  { headers: [{ name: 'etag', operator: '==' }] },
  'assertions.headers[0].value',
  'is required',
);
assertions('unknown kind of assertion', { xpath: ['//status'] }, 'assertions.xpath');
assertions('as a list', [{ contains: 'UP' }], 'assertions');
post('body assertion on HEAD', { method: 'HEAD', assertions: { contains: ['UP'] } }, 400, 'assertions.contains');
patch('bad regex', { assertions: { matches: ['[z-a]'] } }, 400, 'assertions.matches');

// ---------------------------------------------------------------- interval and timeout
for (const [interval, echo] of [
  ['0s', '"0s"'],
  ['1500ms', '"1500ms"'],
  ['500ms', '"500ms"'],
  ['25h', '"25h"'],
  ['2d', '"2d"'],
  ['-1s', '"-1s"'],
  ['30', '"30"'],
  ['', '""'],
  ['30 s', '"30 s"'],
  ['1e3s', '"1e3s"'],
  ['PT30S', '"PT30S"'],
  ['30S', '"30S"'],
  ['NaNs', '"NaNs"'],
  ['Infinitys', '"Infinitys"'],
  ['99999999999999999999999d', '"99999999999999999999999d"'],
  ['1s'.repeat(40), undefined],
] as const) {
  post(`interval ${JSON.stringify(interval).slice(0, 30)}`, { interval }, 400, 'interval', echo);
}
post('interval as a number', { interval: 30 }, 400, 'interval', '30');
post('interval as an object', { interval: { seconds: 30 } }, 400, 'interval');
post('timeout below 100ms', { timeout: '50ms' }, 400, 'timeout', '"50ms"');
post('timeout of 0s', { timeout: '0s' }, 400, 'timeout');
post('timeout above 60s', { timeout: '61s', interval: '5m' }, 400, 'timeout');
post('timeout as a number', { timeout: 5000 }, 400, 'timeout');
post('timeout equal to the interval', { interval: '5s', timeout: '5s' }, 400, 'timeout', '"5s"');
post('timeout longer than the interval', { interval: '5s', timeout: '10s' }, 400, 'timeout', '"10s"');
post('timeout of 1s with interval 1s', { interval: '1s', timeout: '1s' }, 400, 'timeout');
post(
  'default timeout (10s) with interval 10s given as 10000ms',
  { interval: '10000ms', timeout: '10s' },
  400,
  'timeout',
);
patch('interval below the current timeout', { interval: '5s' }, 400, 'timeout');
patch('timeout at the interval', { timeout: '30s' }, 400, 'timeout');
patch('interval of 0s', { interval: '0s' }, 400, 'interval');
put('timeout longer than the interval', { interval: '2s', timeout: '3s' }, 400, 'timeout');

// ---------------------------------------------------------------- thresholds
for (const field of ['failureThreshold', 'recoveryThreshold']) {
  for (const [label, value] of [
    ['zero', 0],
    ['negative', -1],
    ['21', 21],
    ['huge', 1e12],
    ['a float', 2.5],
    ['a numeric string', '3'],
    ['"NaN"', 'NaN'],
    ['"Infinity"', 'Infinity'],
    ['a boolean', true],
  ] as const) {
    post(`${field} ${label}`, { [field]: value }, 400, field, JSON.stringify(value));
  }
}
postRaw(
  'failureThreshold 1e400 (Infinity after parsing)',
  '{"id":"inf-1","name":"x","url":"https://example.com/","failureThreshold":1e400}',
  400,
  'failureThreshold',
);
patch('failureThreshold zero', { failureThreshold: 0 }, 400, 'failureThreshold');
patch('recoveryThreshold float', { recoveryThreshold: 1.5 }, 400, 'recoveryThreshold');
for (const [label, value] of [
  ['zero', 0],
  ['negative', -5],
  ['above 60000', 60_001],
  ['a float', 1.5],
  ['a string', '800'],
  ['"NaN"', 'NaN'],
] as const) {
  post(`latencyThresholdMs ${label}`, { latencyThresholdMs: value }, 400, 'latencyThresholdMs', JSON.stringify(value));
}
post(
  'latencyThresholdMs equal to the timeout',
  { timeout: '5s', latencyThresholdMs: 5000 },
  400,
  'latencyThresholdMs',
  '5000',
);
post('latencyThresholdMs above the timeout', { timeout: '2s', latencyThresholdMs: 3000 }, 400, 'latencyThresholdMs');
post('latencyThresholdMs above the default timeout', { latencyThresholdMs: 20_000 }, 400, 'latencyThresholdMs');
patch('timeout below the current latencyThresholdMs', { timeout: '500ms' }, 400, 'latencyThresholdMs');
patch('latencyThresholdMs at the timeout', { latencyThresholdMs: 10_000 }, 400, 'latencyThresholdMs');

// ---------------------------------------------------------------- expectedStatus
for (const [label, value] of [
  ['99', [99]],
  ['600', [600]],
  ['"abc"', ['abc']],
  ['"300-200"', ['300-200']],
  ['empty list', []],
  ['21 entries', Array.from({ length: 21 }, (_, index) => 200 + index)],
  ['a float', [200.5]],
  ['"200-"', ['200-']],
  ['" 200"', [' 200']],
  ['"2xx"', ['2xx']],
  ['a nested list', [[200]]],
  ['null entry', [null]],
  ['a boolean', [true]],
  ['"200-700"', ['200-700']],
  ['a string, not a list', '200-299'],
  ['a number, not a list', 200],
] as const) {
  post(`expectedStatus ${label}`, { expectedStatus: value }, 400, 'expectedStatus');
}
patch('expectedStatus empty list', { expectedStatus: [] }, 400, 'expectedStatus', '[]');

// ---------------------------------------------------------------- slo
post('slo.target below 50', { slo: { target: 49.9 } }, 400, 'slo.target', '49.9');
post('slo.target of 100', { slo: { target: 100 } }, 400, 'slo.target', '100');
post('slo.target above 99.999', { slo: { target: 99.9999 } }, 400, 'slo.target');
post('slo.target as a string', { slo: { target: '99.9' } }, 400, 'slo.target', '"99.9"');
post('slo.target missing', { slo: { window: '30d' } }, 400, 'slo.target');
post('slo.target negative', { slo: { target: -1 } }, 400, 'slo.target');
post('slo.window of 0d', { slo: { target: 99, window: '0d' } }, 400, 'slo.window');
post('slo.window of 91d', { slo: { target: 99, window: '91d' } }, 400, 'slo.window');
post('slo.window in hours', { slo: { target: 99, window: '24h' } }, 400, 'slo.window');
post('slo.window as a number', { slo: { target: 99, window: 30 } }, 400, 'slo.window');
post('slo.window fractional days', { slo: { target: 99, window: '1.5d' } }, 400, 'slo.window');
post('slo as a string', { slo: '99.9' }, 400, 'slo');
post('slo as a number', { slo: 99.9 }, 400, 'slo');
post('slo as an empty list', { slo: [] }, 400, 'slo');
post('slo as a list of objects', { slo: [{ target: 99 }] }, 400, 'slo');
patch('slo.target of 100', { slo: { target: 100 } }, 400, 'slo.target');

// ---------------------------------------------------------------- paused
post('paused as a string', { paused: 'yes' }, 400, 'paused', '"yes"');
post('paused as a number', { paused: 1 }, 400, 'paused', '1');
patch('paused as "false"', { paused: 'false' }, 400, 'paused', '"false"');

// ---------------------------------------------------------------- ids in paths, PUT id mismatch, conflicts
put('with a different id in the body', { id: 'api-two' }, 400, 'id', '"api-two"');
put('with an invalid id in the body', { id: 'A B' }, 400, 'id');
patch('changing the id', { id: 'api-renamed' }, 400, 'id', '"api-renamed"');
patch('changing the id to another service', { id: API_TWO.id }, 400, 'id');
cases.push({
  name: 'POST a duplicate API id',
  method: 'POST',
  path: '',
  body: { json: API_TWO },
  status: 409,
  field: `"${API_TWO.id}"`,
});
cases.push({
  name: 'POST a duplicate of the config id',
  method: 'POST',
  path: '',
  body: { json: { id: CONFIG_ID, name: 'Shadow', url: 'https://example.net/', paused: true } },
  status: 409,
  field: `"${CONFIG_ID}"`,
});
cases.push({
  name: 'PUT the config service',
  method: 'PUT',
  path: `/${CONFIG_ID}`,
  body: { json: { id: CONFIG_ID, name: 'Changed', url: 'https://example.com/', paused: true } },
  status: 409,
  field: `"${CONFIG_ID}"`,
});
patch('the config service', { paused: false }, 409, `"${CONFIG_ID}"`, undefined, CONFIG_ID);
patch('the config service with a bad body', { interval: '0s' }, 409, `"${CONFIG_ID}"`, undefined, CONFIG_ID);
cases.push({
  name: 'DELETE the config service',
  method: 'DELETE',
  path: `/${CONFIG_ID}`,
  status: 409,
  field: `"${CONFIG_ID}"`,
});
for (const [label, segment, id] of [
  ['unknown id', 'nope', 'nope'],
  ['id with an encoded "/"', 'a%2Fb', 'a/b'],
  ['id with an encoded space', 'a%20b', 'a b'],
  ['id with an encoded quote', 'a%22b', 'a"b'],
] as const) {
  const field = JSON.stringify(id);
  cases.push({ name: `GET ${label}`, method: 'GET', path: `/${segment}`, status: 404, field });
  cases.push({ name: `DELETE ${label}`, method: 'DELETE', path: `/${segment}`, status: 404, field });
}
// The router refuses these before Nest sees them (Fastify's own body, which names the URL): see the report.
for (const method of ['GET', 'DELETE'] as const) {
  cases.push({
    name: `${method} id with bad percent-encoding`,
    method,
    path: '/a%E0%A4%A',
    status: 400,
    field: '(url): is not a valid URL path',
  });
}
// "%2E%2E" is a dot segment (WHATWG): it is resolved before routing and can never reach a service id.
for (const method of ['GET', 'DELETE'] as const) {
  cases.push({
    name: `${method} id ".." (encoded)`,
    method,
    path: '/%2E%2E',
    status: 404,
    field: `Cannot ${method} /api/admin/`,
  });
  // Longer than any id can be (63): refused by the router (maxParamLength 100) before anything is looked up.
  cases.push({
    name: `${method} id of 200 characters`,
    method,
    path: `/${'a'.repeat(200)}`,
    status: 414,
    field: '(url): a path segment is longer than 100 characters',
  });
}
cases.push({
  name: 'PUT an unknown id',
  method: 'PUT',
  path: '/nope',
  body: { json: { id: 'nope', name: 'x', url: 'https://example.com/' } },
  status: 404,
  field: '"nope"',
});
patch('an unknown id', { paused: false }, 404, '"nope"', undefined, 'nope');
patch('an id with an encoded "/"', { paused: false }, 404, '"a/b"', undefined, 'a%2Fb');

// ---------------------------------------------------------------- size and media type
postRaw(
  '65 KiB body',
  JSON.stringify({ id: 'big', name: 'x'.repeat(65 * 1024), url: 'https://example.com/' }),
  413,
  '(body)',
);
patchRaw('65 KiB body', JSON.stringify({ name: 'x'.repeat(65 * 1024) }), 413, '(body)');
const validRaw = JSON.stringify({ id: 'media', name: 'x', url: 'https://example.com/', paused: true });
postRaw('as text/plain', validRaw, 415, '(body)', 'text/plain');
postRaw(
  'as a form',
  'id=media&name=x&url=https%3A%2F%2Fexample.com%2F',
  415,
  '(body)',
  'application/x-www-form-urlencoded',
);
postRaw(
  'as multipart',
  '--b\r\nContent-Disposition: form-data; name="id"\r\n\r\nmedia\r\n--b--\r\n',
  415,
  '(body)',
  'multipart/form-data; boundary=b',
);
postRaw('as XML', '<service id="media"/>', 415, '(body)', 'application/xml');
postRaw('as text/html', validRaw, 415, '(body)', 'text/html');
postRaw('without a content type', validRaw, 415, '(body)', null);
patchRaw('as text/plain', '{"paused":false}', 415, '(body)', 'text/plain');

// ---------------------------------------------------------------- authentication: nothing stored without the token
const validBody = { json: { id: 'sneaky', name: 'Sneaky', url: 'https://example.com/', paused: true } };
cases.push({
  name: 'POST with a wrong token',
  method: 'POST',
  path: '',
  body: validBody,
  auth: 'wrong',
  status: 401,
  field: 'token',
});
cases.push({
  name: 'POST without a token',
  method: 'POST',
  path: '',
  body: validBody,
  auth: 'none',
  status: 401,
  field: 'token',
});
cases.push({
  name: 'POST a malformed body with a wrong token (401, not 400)',
  method: 'POST',
  path: '',
  body: { raw: '{' },
  auth: 'wrong',
  status: 401,
  field: 'token',
});
cases.push({
  name: 'PATCH with a wrong token',
  method: 'PATCH',
  path: `/${API_ONE.id}`,
  body: { json: { paused: false } },
  auth: 'wrong',
  status: 401,
  field: 'token',
});
cases.push({
  name: 'PUT with a wrong token',
  method: 'PUT',
  path: `/${API_ONE.id}`,
  body: { json: { ...API_ONE, name: 'Hijacked' } },
  auth: 'wrong',
  status: 401,
  field: 'token',
});
cases.push({
  name: 'DELETE with a wrong token',
  method: 'DELETE',
  path: `/${API_ONE.id}`,
  auth: 'wrong',
  status: 401,
  field: 'token',
});
cases.push({
  name: 'DELETE without a token',
  method: 'DELETE',
  path: `/${API_TWO.id}`,
  auth: 'none',
  status: 401,
  field: 'token',
});

// ---------------------------------------------------------------- issue 15: the outside probe's cases
// The null rule: null is never a value (only PATCH may clear group / latencyThresholdMs with it).
for (const field of [
  'interval',
  'timeout',
  'expectedStatus',
  'slo',
  'method',
  'paused',
  'group',
  'latencyThresholdMs',
]) {
  post(`${field} null`, { [field]: null }, 400, field, 'null');
  put(`${field} null`, { [field]: null }, 400, field, 'null');
}
for (const field of ['interval', 'timeout', 'expectedStatus', 'slo', 'name', 'failureThreshold', 'paused']) {
  patch(`${field} null`, { [field]: null }, 400, field, 'null');
}
post('slo.window null', { slo: { target: 99, window: null } }, 400, 'slo.window', 'null');
// Text that reaches the page and Slack raw.
for (const [label, name] of [
  ['only spaces', '   '],
  ['only a tab and a newline', '\t\n'],
  ['a NUL byte', 'Shop\u0000'],
  ['a newline', 'Shop\nInjected'],
  ['an ANSI escape', 'Shop\u001b[31m'],
  ['a bidi override', '\u202eShop'],
  ['a line separator', 'Shop\u2028x'],
] as const) {
  post(`name with ${label}`, { name }, 400, 'name');
}
patch('group of only spaces', { group: '  ' }, 400, 'group');
// URLs that WHATWG parsing would silently rewrite.
for (const [label, url] of [
  ['CR LF (header injection)', 'https://example.com/\r\nX-Injected: 1'],
  ['a tab in the host', 'https://exa\tmple.com/'],
  ['a newline in the path', 'https://example.com/a\nb'],
  ['a leading space', ' https://example.com/'],
  ['a space in the path', 'https://example.com/a b'],
] as const) {
  post(`url with ${label}`, { url }, 400, 'url', JSON.stringify(url));
}
// Bytes and encodings.
cases.push({
  name: 'POST invalid UTF-8',
  method: 'POST',
  path: '',
  body: {
    bytes: [...Buffer.from('{"id":"utf","name":"a'), 0xc3, 0x28, ...Buffer.from('","url":"https://example.com/"}')],
  },
  status: 400,
  field: '(body)',
});
for (const charset of ['utf-7', 'latin1', 'iso-8859-1']) {
  postRaw(`charset=${charset}`, validRaw, 415, 'charset', `application/json; charset=${charset}`);
}
cases.push({
  name: 'POST gzip-encoded',
  method: 'POST',
  path: '',
  body: { raw: validRaw },
  headers: { 'content-encoding': 'gzip' },
  status: 415,
  field: 'content-encoding',
});
postRaw('duplicate key', '{"id":"dup-1","name":"A","name":"B","url":"https://example.com/"}', 400, 'name');
postRaw(
  'duplicate key in slo',
  '{"id":"dup-2","name":"A","url":"https://example.com/","slo":{"target":99,"target":98}}',
  400,
  'slo.target',
);
patchRaw('duplicate key', '{"paused":true,"paused":false}', 400, 'paused');
// Authorization sent twice: refused, whichever token comes first.
cases.push({
  name: 'PATCH with two Authorization headers',
  method: 'PATCH',
  path: `/${API_ONE.id}`,
  body: { json: { paused: false } },
  headers: { authorization: ['Bearer :token', 'Bearer wrong'] },
  status: 400,
  field: 'authorization',
});
// Incidents and maintenance: the same rules on the other admin doors.
const incident = (name: string, method: Method, path: string, json: unknown, field: string, echo?: string) =>
  cases.push({ name, method, base: '/api/admin/incidents', path, body: { json }, status: 400, field, echo });
const openIncident = { title: 'Down', impact: 'minor', serviceIds: [], message: 'Looking.' };
incident('PATCH incident title and impact null', 'PATCH', '/:incident', { title: null, impact: null }, 'title', 'null');
incident('PATCH incident impact null', 'PATCH', '/:incident', { impact: null }, 'impact', 'null');
incident('PATCH incident serviceIds null', 'PATCH', '/:incident', { serviceIds: null }, 'serviceIds', 'null');
incident('PATCH incident title of only spaces', 'PATCH', '/:incident', { title: '   ' }, 'title');
incident('POST incident notify null', 'POST', '', { ...openIncident, notify: null }, 'notify', 'null');
incident('POST incident status null', 'POST', '', { ...openIncident, status: null }, 'status', 'null');
incident('POST incident title with a control character', 'POST', '', { ...openIncident, title: 'Down\u0007' }, 'title');
incident('POST incident message of only whitespace', 'POST', '', { ...openIncident, message: ' \n ' }, 'message');
incident(
  'POST update message null',
  'POST',
  '/:incident/updates',
  { status: 'identified', message: null },
  'message',
  'null',
);
incident(
  'POST update notify null',
  'POST',
  '/:incident/updates',
  { status: 'identified', message: 'x', notify: null },
  'notify',
  'null',
);
cases.push({
  name: 'POST maintenance title null',
  method: 'POST',
  base: '/api/admin/maintenance',
  path: '',
  body: {
    json: {
      title: null,
      serviceIds: [API_ONE.id],
      startsAt: '2099-01-01T00:00:00Z',
      endsAt: '2099-01-01T01:00:00Z',
      message: '',
    },
  },
  status: 400,
  field: 'title',
  echo: 'null',
});

export const CORPUS: readonly BadCase[] = cases;
