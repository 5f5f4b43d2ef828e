#!/usr/bin/env node
// Prints a new ping token for a heartbeat service of the services file, and the SHA-256 hash the file keeps
// (heartbeat.tokenHash). Give the token to the job; the server never sees it until the job pings.
// Same format as the admin API's tokens (libs/monitoring/src/heartbeat/heartbeat-token.ts): the id inside lets any
// replica record a ping with one conditional write.
import { createHash, randomBytes } from 'node:crypto';

const id = process.argv[2] ?? '';
if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(id)) {
  process.stderr.write(
    `service id: ${JSON.stringify(id)} must be 1-63 of a-z, 0-9, "-", "_", starting with a letter or digit\n` +
      'usage: npm run heartbeat-token -- <service id>\n',
  );
  process.exit(2);
}
const token = `hb.${id}.${randomBytes(24).toString('base64url')}`;
const hash = createHash('sha256').update(token, 'utf8').digest('hex');
process.stdout.write(
  `token: ${token}\nping:  curl -fsS -m 10 https://<status page>/api/heartbeat/${token}\n\n` +
    `services file:\n    heartbeat: { tokenHash: ${hash} }\n`,
);
