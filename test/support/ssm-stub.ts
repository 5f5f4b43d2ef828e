import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for SSM Parameter Store on 127.0.0.1, enough for `aws ssm get-parameters-by-path`: the AWS JSON
 * 1.1 protocol (`X-Amz-Target: AmazonSSM.GetParametersByPath`). Values are returned as stored (as if decrypted);
 * signatures are not checked. Point the AWS CLI at it with `AWS_ENDPOINT_URL_SSM`.
 */
export class SsmStub {
  url = '';
  /** Every request's target, to prove the CLI really asked. */
  readonly calls: { target: string; body: unknown }[] = [];
  private server: Server | null = null;

  constructor(private readonly parameters: Record<string, string>) {}

  async start(host = '127.0.0.1'): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    let body: { Path?: string; Recursive?: boolean } = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof body;
    } catch {
      return this.reply(response, 400, { __type: 'SerializationException', message: 'body is not JSON' });
    }
    this.calls.push({ target, body });
    if (target !== 'AmazonSSM.GetParametersByPath')
      return this.reply(response, 400, { __type: 'UnknownOperationException', message: `${target} is not stubbed` });
    const path = body.Path ?? '';
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const Parameters = Object.entries(this.parameters)
      .filter(([name]) => name.startsWith(prefix) && (body.Recursive || !name.slice(prefix.length).includes('/')))
      .map(([Name, Value]) => ({ Name, Value, Type: 'SecureString', Version: 1, DataType: 'text' }));
    this.reply(response, 200, { Parameters });
  }

  private reply(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  }
}
