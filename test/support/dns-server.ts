import { createSocket, type Socket } from 'node:dgram';
import dns2 from 'dns2';

const { Packet } = dns2;

/** What the zone answers for one name: records by type, or an error code for the whole name. */
export type Zone = Record<
  string,
  { rcode: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' } | Partial<Record<'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT', unknown[]>>
>;

/**
 * A DNS server (dns2) on 127.0.0.1 and a random UDP port, answering from `zone`: a name with records of another
 * type gets an empty NOERROR answer (NODATA), an unknown name NXDOMAIN. `mute()` makes it swallow queries.
 */
export class TestDnsServer {
  private server: ReturnType<typeof dns2.createUDPServer> | null = null;
  private silent: Socket | null = null;
  queries = 0;
  address = '';

  constructor(private readonly zone: Zone) {}

  async start(): Promise<this> {
    const server = dns2.createUDPServer((request, send) => {
      this.queries += 1;
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const entry = question ? this.zone[question.name.toLowerCase()] : undefined;
      if (!question || !entry) response.header.rcode = Packet.RCODE.NXDOMAIN;
      else if ('rcode' in entry) response.header.rcode = Packet.RCODE[entry.rcode];
      else {
        const type = Object.entries(Packet.TYPE).find(([, code]) => code === question.type)?.[0] as keyof typeof entry;
        for (const record of entry[type] ?? [])
          response.answers.push({
            name: question.name,
            type: question.type,
            class: Packet.CLASS.IN,
            ttl: 60,
            ...(record as object),
          } as never);
      }
      void send(response);
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    this.server = server;
    this.address = `127.0.0.1:${server.address().port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}

/** A UDP socket that takes DNS queries and never answers (a dead or filtered resolver). */
export async function silentDnsServer(): Promise<{
  address: string;
  received: () => number;
  stop: () => Promise<void>;
}> {
  const socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => (received += 1));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    received: () => received,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
