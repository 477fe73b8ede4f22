import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localUrl } from './sidecar-s3.js';

describe('sidecar S3 endpoint', () => {
  it('turns the bound address into a URL local clients can use (wildcards → loopback)', () => {
    assert.equal(localUrl({ address: '0.0.0.0', family: 'IPv4', port: 9000 }), 'http://127.0.0.1:9000');
    assert.equal(localUrl({ address: '::', family: 'IPv6', port: 9000 }), 'http://[::1]:9000');
    assert.equal(localUrl({ address: '127.0.0.1', family: 'IPv4', port: 1 }), 'http://127.0.0.1:1');
    assert.equal(localUrl({ address: 'fe80::1', family: 'IPv6', port: 2 }), 'http://[fe80::1]:2');
  });
});
