import { startApp } from '../support/app-process.js';

describe('LOG_FORMAT=json', () => {
  it('writes nothing but one JSON object per line, Node process warnings included', async () => {
    // Node's own warnings on (the harness turns them off elsewhere): on Node 20 the AWS SDK warns about the
    // version in several raw lines, which is what a log shipper would have choked on.
    const app = await startApp({
      servicesYaml: 'services: []\n',
      env: { LOG_FORMAT: 'json', NODE_NO_WARNINGS: '' },
    });
    await app.stop();
    const lines = app
      .output()
      .split('\n')
      .filter((line) => line.length > 0);
    expect(lines.length).toBeGreaterThan(5);
    const notJson = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    if (process.versions.node.startsWith('20.'))
      expect(lines.some((line) => line.includes('NodeVersionSupportWarning'))).toBe(true);
  });
});
