import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseHeartbeatToken } from '@app/monitoring';

const run = promisify(execFile);
const script = new URL('../../scripts/heartbeat-token.mjs', import.meta.url).pathname;

describe('npm run heartbeat-token (a ping token for a services-file heartbeat)', () => {
  it('prints a token the server accepts for that service and the hash the file keeps', async () => {
    const { stdout } = await run(process.execPath, [script, 'nightly-backup']);
    const token = /^token: (\S+)$/m.exec(stdout)?.[1] ?? '';
    const hash = /tokenHash: ([0-9a-f]{64}) \}$/m.exec(stdout)?.[1];
    expect(parseHeartbeatToken(token)).toEqual({ serviceId: 'nightly-backup', tokenHash: hash });
    const again = await run(process.execPath, [script, 'nightly-backup']);
    expect(again.stdout).not.toContain(token);
  });

  it('refuses an id that is not a service id, naming the value and the rule', async () => {
    await expect(run(process.execPath, [script, 'Nightly Backup'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'service id: "Nightly Backup" must be 1-63 of a-z, 0-9, "-", "_", starting with a letter or digit',
      ) as unknown,
    });
  });
});
