import { adminService } from '../../../testing/admin-fixtures';
import { serviceFormFrom, toServiceDefinition } from './service-form-model';

describe('service form model', () => {
  const tcpService = (send: string) =>
    adminService({ kind: 'tcp', url: 'tcp://mail.example.com:25', method: undefined, tcp: { tls: false, send } });

  it('sends back a TCP greeting with the line endings it was stored with', () => {
    for (const send of ['EHLO status\r\nQUIT\r\n', 'PING\n', 'no line break']) {
      const result = toServiceDefinition(serviceFormFrom(tcpService(send)));
      expect(result.ok && result.definition.tcp).toEqual({ send });
    }
  });

  it('sends line breaks typed into a new TCP greeting as CRLF', () => {
    const form = { ...serviceFormFrom(tcpService('x')), tcpSend: 'EHLO status\nQUIT\n' };
    const result = toServiceDefinition(form);
    expect(result.ok && result.definition.tcp?.send).toBe('EHLO status\r\nQUIT\r\n');
  });
});
