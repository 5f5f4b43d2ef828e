import { generate } from 'selfsigned';

const DAY = 86_400_000;

export interface TestCa {
  cert: string;
  key: string;
}

/** A certificate authority made for the test run (trusted by the probe through HttpProberOptions.extraCa). */
export async function testCa(name = 'Status page test CA'): Promise<TestCa> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: new Date(Date.now() + 365 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * A server certificate signed by `ca` for `hosts` (DNS names and IP addresses), valid from a day ago until
 * `notAfter`: "expires in 3 days", "expired yesterday", "valid for another host" are each one call.
 */
export async function serverCertificate(
  ca: TestCa,
  options: { hosts: string[]; notAfter: Date; notBefore?: Date },
): Promise<{ cert: string; key: string }> {
  const altNames = options.hosts.map((host) =>
    /^[\d.]+$|:/.test(host) ? { type: 7 as const, ip: host } : { type: 2 as const, value: host },
  );
  const pems = await generate([{ name: 'commonName', value: options.hosts[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: options.notBefore ?? new Date(Date.now() - 2 * DAY),
    notAfterDate: options.notAfter,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export const days = (n: number) => new Date(Date.now() + n * DAY);
