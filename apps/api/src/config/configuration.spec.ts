import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetPolicy, TargetResolver } from '@app/monitoring';
import { ConfigurationError, loadConfiguration, readServicesFile, servicesFileCache } from './configuration.js';

const resolver = new TargetResolver(new TargetPolicy(''), () => Promise.resolve(['93.184.216.34']));

describe('reading the services file with its parse cache', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'services-file-'));
    file = join(dir, 'services.yaml');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cache = () => servicesFileCache({ DATA_DIR: join(dir, 'data') });
  const stored = () =>
    JSON.parse(readFileSync(join(dir, 'data', 'services-file.parsed.json'), 'utf8')) as {
      value: { services: Record<string, unknown>[] };
    };
  /** Replaces the stored tree, keeping the entry's key: what the next read gets if it trusts the entry. */
  const tamper = (edit: (value: { services: Record<string, unknown>[] }) => void) => {
    const entry = stored();
    edit(entry.value);
    writeFileSync(join(dir, 'data', 'services-file.parsed.json'), JSON.stringify(entry));
  };

  it('stores a valid file’s tree, and the next read of the same text takes it instead of parsing', async () => {
    writeFileSync(file, 'services:\n  - { id: a, name: A, url: "https://a.example/" }\n');
    expect((await readServicesFile(file, resolver, cache())).services.map((s) => s.name)).toEqual(['A']);
    expect(stored().value.services).toEqual([{ id: 'a', name: 'A', url: 'https://a.example/' }]);
    tamper((value) => (value.services[0]!['name'] = 'From the cache'));
    expect((await readServicesFile(file, resolver, cache())).services.map((s) => s.name)).toEqual(['From the cache']);
    // Without the cache the file is what counts.
    expect((await readServicesFile(file, resolver)).services.map((s) => s.name)).toEqual(['A']);
  });

  it('validates a stored tree as a fresh parse: an entry that breaks a rule is refused with the rule', async () => {
    writeFileSync(file, 'services:\n  - { id: a, name: A, url: "https://a.example/" }\n');
    await readServicesFile(file, resolver, cache());
    tamper((value) => (value.services[0]!['interval'] = '0s'));
    await expect(readServicesFile(file, resolver, cache())).rejects.toThrow(ConfigurationError);
    await expect(readServicesFile(file, resolver, cache())).rejects.toThrow('services[0].interval: "0s"');
    // And the host names are resolved against the policy every time, stored tree or not.
    tamper((value) => (value.services[0]!['interval'] = '30s'));
    const blocking = new TargetResolver(new TargetPolicy(''), () => Promise.resolve(['10.0.0.5']));
    await expect(readServicesFile(file, blocking, cache())).rejects.toThrow('points at a blocked address 10.0.0.5');
  });

  it('parses an edited file and replaces the entry', async () => {
    writeFileSync(file, 'services:\n  - { id: a, name: A, url: "https://a.example/" }\n');
    await readServicesFile(file, resolver, cache());
    writeFileSync(file, 'services:\n  - { id: b, name: B, url: "https://b.example/" }\n');
    expect((await readServicesFile(file, resolver, cache())).services.map((s) => s.id)).toEqual(['b']);
    expect(stored().value.services.map((s) => s.id)).toEqual(['b']);
  });

  it('stores nothing for an invalid file, and keeps the entry of the last valid one', async () => {
    writeFileSync(file, 'services:\n  - { id: a, name: "", url: "https://a.example/" }\n');
    await expect(readServicesFile(file, resolver, cache())).rejects.toThrow('services[0].name: ""');
    expect(existsSync(join(dir, 'data', 'services-file.parsed.json'))).toBe(false);
    writeFileSync(file, 'services:\n  - { id: a, name: A, url: "https://a.example/" }\n');
    await readServicesFile(file, resolver, cache());
    writeFileSync(file, 'services: [ { id: a\n');
    await expect(readServicesFile(file, resolver, cache())).rejects.toThrow('is not valid YAML');
    expect(stored().value.services.map((s) => s.name)).toEqual(['A']);
  });

  it('reads an empty file as no services, from the cache too', async () => {
    writeFileSync(file, '');
    expect((await readServicesFile(file, resolver, cache())).services).toEqual([]);
    expect((await readServicesFile(file, resolver, cache())).services).toEqual([]);
  });

  it('is kept in DATA_DIR by loadConfiguration', async () => {
    writeFileSync(file, 'services:\n  - { id: a, name: A, url: "https://a.example/" }\n');
    await loadConfiguration(
      { STATUS_CONFIG: file, DATA_DIR: join(dir, 'data') },
      { lookup: () => Promise.resolve(['93.184.216.34']) },
    );
    expect(stored().value.services.map((s) => s.id)).toEqual(['a']);
  });
});
