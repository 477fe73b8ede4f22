import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ContainerClient, ContainerRequestError } from './container-client.js';
import { freePort } from './free-port.js';

describe('ContainerClient (a real HTTP server on loopback)', () => {
  let server: http.Server;
  let port: number;
  const sockets = new Set<Socket>();

  before(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (body === 'hang') return; // never answers
        if (body === 'drop') {
          request.socket.destroy();
          return;
        }
        response.writeHead(200, { 'content-type': 'text/plain', 'x-seen-type': request.headers['content-type'] ?? '' });
        response.end(`echo:${body}`);
      });
    });
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends the body and headers and reads the whole answer over one kept-alive connection', async () => {
    const client = new ContainerClient(port);
    const first = await client.request({
      method: 'POST',
      path: '/invocations',
      body: Buffer.from('a'),
      headers: { 'content-type': 'text/csv' },
      timeoutMs: 5000,
    });
    assert.deepEqual([first.status, first.body.toString(), first.headers['x-seen-type']], [200, 'echo:a', 'text/csv']);
    const second = await client.request({ method: 'POST', path: '/invocations', body: Buffer.from('b'), timeoutMs: 5000 });
    assert.equal(second.body.toString(), 'echo:b');
    assert.equal(sockets.size, 1, 'the connection was reused');
    client.close();
  });

  it('a kept-alive connection the server reset while idle does not fail the next request', async () => {
    const client = new ContainerClient(port);
    await client.request({ method: 'POST', path: '/invocations', body: Buffer.from('a'), timeoutMs: 5000 });
    // the container closes the idle connection without the client noticing yet: a reset on the next write
    for (const socket of sockets) socket.resetAndDestroy();
    const answer = await client.request({ method: 'POST', path: '/invocations', body: Buffer.from('again'), timeoutMs: 5000 });
    assert.equal(answer.body.toString(), 'echo:again');
    client.close();
  });

  it('tells refused (nothing listens), closed (dropped mid-request) and timeout apart', async () => {
    const nobody = new ContainerClient(await freePort());
    await assert.rejects(nobody.request({ method: 'POST', path: '/invocations', body: Buffer.from('x'), timeoutMs: 5000 }), (error: unknown) => {
      assert.ok(error instanceof ContainerRequestError);
      assert.equal(error.kind, 'refused');
      return true;
    });
    const client = new ContainerClient(port);
    await assert.rejects(client.request({ method: 'POST', path: '/invocations', body: Buffer.from('drop'), timeoutMs: 5000 }), { kind: 'closed' });
    await assert.rejects(client.request({ method: 'POST', path: '/invocations', body: Buffer.from('hang'), timeoutMs: 200 }), { kind: 'timeout' });
    client.close();
  });

  it('opens a streamed answer and hands over the body unread', async () => {
    const client = new ContainerClient(port);
    const opened = await client.open({ method: 'POST', path: '/invocations', body: Buffer.from('s'), timeoutMs: 5000 });
    assert.equal(opened.status, 200);
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'echo:s');
    client.close();
  });
});
