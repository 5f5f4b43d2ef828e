// Local probe target for the benchmarks, run as its own process so its CPU is not the app's.
// Every path answers 200 "ok" at once, without keep-alive (Connection: close, like a fresh probe each time).
// /s/<n> hits are recorded with their arrival time (epoch ms, sub-ms precision);
// GET /__stats?since=<epoch ms> answers { total, hits: [[n, at], ...] } for hits at or after `since`.
// Prints "READY <port>" once listening on 127.0.0.1.
import { createServer } from 'node:http';

const now = () => performance.timeOrigin + performance.now();
let ids = new Int32Array(1 << 16);
let times = new Float64Array(1 << 16);
let count = 0;
let other = 0;

function record(id, at) {
  if (count === ids.length) {
    const grownIds = new Int32Array(ids.length * 2);
    grownIds.set(ids);
    ids = grownIds;
    const grownTimes = new Float64Array(times.length * 2);
    grownTimes.set(times);
    times = grownTimes;
  }
  ids[count] = id;
  times[count] = at;
  count += 1;
}

const server = createServer((request, response) => {
  const at = now();
  const url = request.url ?? '/';
  if (url.startsWith('/s/')) {
    record(Number.parseInt(url.slice(3), 10), at);
  } else if (url.startsWith('/__stats')) {
    const since = Number(new URL(url, 'http://x').searchParams.get('since') ?? 0);
    const hits = [];
    for (let index = 0; index < count; index += 1) if (times[index] >= since) hits.push([ids[index], times[index]]);
    response.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
    response.end(JSON.stringify({ total: count, other, hits }));
    return;
  } else {
    other += 1;
  }
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2', connection: 'close' });
  response.end('ok');
});
server.keepAliveTimeout = 0;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
