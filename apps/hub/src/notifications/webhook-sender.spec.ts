import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockedAddressReason } from './webhook-address.guard.js';
import { postWebhook } from './webhook-sender.js';

describe('blockedAddressReason', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['10.1.2.3', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.0.1', 'a private address'],
    ['169.254.169.254', 'a link-local address (cloud metadata services live there)'],
    ['100.64.0.1', 'a shared (carrier-grade NAT) address'],
    ['0.0.0.0', 'an unspecified address'],
    ['::1', 'a loopback address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['fd00::1', 'a private address'],
    ['fe80::1', 'a link-local address'],
    ['8.8.8.8', undefined],
    ['172.32.0.1', undefined],
    ['2606:4700:4700::1111', undefined],
  ])('%s → %s', (address, reason) => {
    expect(blockedAddressReason(address)).toBe(reason);
  });
});

describe('postWebhook', () => {
  let server: Server;
  let port: number;
  const received: { body: string; signature: string | undefined }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ body, signature: request.headers['x-signature'] as string | undefined });
        if (request.url === '/slow') return; // never answers
        response.statusCode = request.url === '/moved' ? 302 : 204;
        if (request.url === '/moved') response.setHeader('location', 'http://169.254.169.254/');
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, allowPrivateAddresses: boolean, host = '127.0.0.1', timeoutMs = 2_000) =>
    postWebhook({ url: `http://${host}:${port}${path}`, body: '{"a":1}', headers: { 'x-signature': 's' }, timeoutMs, allowPrivateAddresses });

  it('delivers the body and headers and resolves with the status, when private addresses are allowed', async () => {
    received.length = 0;
    await expect(post('/ok', true)).resolves.toBe(204);
    expect(received).toEqual([{ body: '{"a":1}', signature: 's' }]);
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    await expect(post('/moved', true)).resolves.toBe(302);
  });

  it('refuses a loopback address given literally or by a name that resolves to it, sending nothing', async () => {
    received.length = 0;
    await expect(post('/ok', false)).rejects.toThrow('127.0.0.1 is a loopback address');
    await expect(post('/ok', false, 'localhost')).rejects.toThrow(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
    await expect(post('/ok', false, '[::1]')).rejects.toThrow('::1 is a loopback address');
    expect(received).toEqual([]);
  });

  it('gives up at the timeout with a TimeoutError', async () => {
    await expect(post('/slow', true, '127.0.0.1', 200)).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
