import { isIP } from 'node:net';

/** "9.9.9.9", "9.9.9.9:5353", "2620:fe::fe" or "[2620:fe::fe]:53": the address a DNS check asks. */
export function parseDnsServer(text: string): { address: string; port: number } | null {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const hostPort = /^([^:]+)(?::(\d{1,5}))?$/.exec(text);
  let address: string;
  let portText: string | undefined;
  if (bracketed) [, address = '', portText] = bracketed;
  else if (isIP(text) === 6) address = text;
  else if (hostPort) [, address = '', portText] = hostPort;
  else return null;
  if (isIP(address) === 0) return null;
  const port = portText === undefined ? 53 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return null;
  return { address, port };
}
