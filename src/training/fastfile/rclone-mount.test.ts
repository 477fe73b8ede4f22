import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fuseProblem } from './fuse-check.js';
import { rcloneEnv, rcloneMountArgs } from './rclone-mount.js';

const valueOf = (argv: string[], flag: string): string[] => argv.flatMap((arg, i) => (arg === flag ? [argv[i + 1] ?? ''] : []));

describe('rcloneMountArgs', () => {
  it('mounts the prefix directory read-only with no cache and no read-ahead buffer', () => {
    const argv = rcloneMountArgs({ bucket: 'b', directory: 'data/train/', namePrefix: '', mountPoint: '/j/algo-1/input/data/train' });
    assert.deepEqual(argv.slice(0, 4), ['rclone', 'mount', 'salvia:b/data/train', '/j/algo-1/input/data/train']);
    assert.ok(argv.includes('--read-only'));
    assert.deepEqual(valueOf(argv, '--vfs-cache-mode'), ['off']);
    assert.deepEqual(valueOf(argv, '--buffer-size'), ['0']);
    assert.deepEqual(valueOf(argv, '--include'), []);
    assert.deepEqual(valueOf(argv, '--log-level'), ['NOTICE']);
    assert.equal(rcloneMountArgs({ bucket: 'b', directory: '', namePrefix: '', mountPoint: '/m' })[2], 'salvia:b');
  });

  it('shows only names starting with a partial prefix (glob characters escaped), a shard list, and debug headers', () => {
    const argv = rcloneMountArgs({ bucket: 'b', directory: 'd/', namePrefix: 'train-[1]*', mountPoint: '/m', filesFrom: '/j/shard', debug: true });
    assert.deepEqual(valueOf(argv, '--include'), ['/train-\\[1\\]\\**', '/train-\\[1\\]\\**/**']);
    assert.deepEqual(valueOf(argv, '--files-from-raw'), ['/j/shard']);
    assert.deepEqual(valueOf(argv, '--log-level'), ['DEBUG']);
    assert.deepEqual(valueOf(argv, '--dump'), ['headers']);
    assert.deepEqual(valueOf(rcloneMountArgs({ bucket: 'b', directory: 'd/', namePrefix: 'one.csv', exactName: true, mountPoint: '/m' }), '--include'), [
      '/one.csv',
    ]);
  });
});

describe('rcloneEnv', () => {
  it('configures the remote from the sidecar endpoint only, with or without keys', () => {
    const s3 = { endpoint: 'http://127.0.0.1:7070', region: 'eu-west-1', forcePathStyle: true, accessKeyId: 'id', secretAccessKey: 'secret' };
    assert.deepEqual(rcloneEnv(s3, '/usr/bin'), {
      PATH: '/usr/bin',
      RCLONE_CONFIG_SALVIA_TYPE: 's3',
      RCLONE_CONFIG_SALVIA_PROVIDER: 'Other',
      RCLONE_CONFIG_SALVIA_ENDPOINT: 'http://127.0.0.1:7070',
      RCLONE_CONFIG_SALVIA_REGION: 'eu-west-1',
      RCLONE_CONFIG_SALVIA_FORCE_PATH_STYLE: 'true',
      RCLONE_CONFIG_SALVIA_NO_CHECK_BUCKET: 'true',
      RCLONE_CONFIG_SALVIA_ENV_AUTH: 'false',
      RCLONE_CONFIG_SALVIA_ACCESS_KEY_ID: 'id',
      RCLONE_CONFIG_SALVIA_SECRET_ACCESS_KEY: 'secret',
    });
    const anonymous = rcloneEnv({ endpoint: 'https://s3.example', region: 'us-east-1', forcePathStyle: false }, '/bin');
    assert.equal(anonymous['RCLONE_CONFIG_SALVIA_ACCESS_KEY_ID'], undefined);
    assert.equal(anonymous['RCLONE_CONFIG_SALVIA_FORCE_PATH_STYLE'], 'false');
  });
});

describe('fuseProblem', () => {
  it('names each missing piece: the FUSE device, rclone, fusermount3', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'salvia-fuse-check-'));
    try {
      assert.equal(
        fuseProblem(dir, path.join(dir, 'fuse')),
        `this host lacks ${path.join(dir, 'fuse')} (FUSE is not available to this server), the rclone program, fusermount3 (Debian package fuse3)`,
      );
      for (const program of ['rclone', 'fusermount']) {
        writeFileSync(path.join(dir, program), '#!/bin/sh\n');
        chmodSync(path.join(dir, program), 0o755);
      }
      writeFileSync(path.join(dir, 'fuse'), '');
      assert.equal(fuseProblem(`/nonexistent:${dir}`, path.join(dir, 'fuse')), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
