import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { awsEnv, startServer, type ServerProcess } from '../helpers/server-process.js';

// The S3 API through boto3 and the AWS CLI (v1) as subprocesses: multipart transfers, paginators,
// checksums, HeadBucket's bare 404, mb/cp/sync/ls/rm and s3api list-objects (v1).

const run = promisify(execFile);

const boto3Script = String.raw`
import json, sys
import boto3
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

bucket, source, target = sys.argv[1], sys.argv[2], sys.argv[3]
s3 = boto3.client("s3")
out = {}
try:
    s3.head_bucket(Bucket=bucket + "-missing")
except ClientError as error:
    out["missing"] = {"status": error.response["ResponseMetadata"]["HTTPStatusCode"], "code": error.response["Error"]["Code"]}
s3.create_bucket(Bucket=bucket)
config = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)
s3.upload_file(source, bucket, "big/file.bin", Config=config)
out["etag"] = s3.head_object(Bucket=bucket, Key="big/file.bin")["ETag"]
s3.download_file(bucket, "big/file.bin", target, Config=config)
for i in range(7):
    s3.put_object(Bucket=bucket, Key="page/%02d +%%" % i, Body=b"x")
paginator = s3.get_paginator("list_objects_v2")
out["pages"] = [[o["Key"] for o in page.get("Contents", [])] for page in paginator.paginate(Bucket=bucket, Prefix="page/", PaginationConfig={"PageSize": 3})]
put = s3.put_object(Bucket=bucket, Key="sum", Body=b"abc", ChecksumAlgorithm="SHA1")
got = s3.get_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
out["sha1"] = [put.get("ChecksumSHA1"), got.get("ChecksumSHA1"), got["Body"].read().decode()]
try:
    s3.get_object(Bucket=bucket, Key="nope")
except ClientError as error:
    out["nokey"] = error.response["Error"]["Code"]
print(json.dumps(out))
`;

/** Writes `size` random bytes to `file` without holding them all in memory. */
function writeRandomFile(file: string, size: number): void {
  const fd = openSync(file, 'w');
  try {
    for (let written = 0; written < size;) {
      const chunk = randomBytes(Math.min(4 << 20, size - written));
      writeSync(fd, chunk);
      written += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
}

describe('S3 through boto3 and the AWS CLI', () => {
  let server: ServerProcess;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const aws = (...args: string[]) =>
    run('aws', args[0] === 's3' && ['cp', 'sync', 'rm'].includes(args[1] ?? '') ? [...args, '--only-show-errors'] : args, { env, maxBuffer: 16 << 20 });

  before(async () => {
    server = await startServer();
    home = mkdtempSync(path.join(tmpdir(), 'salvia-s3-cli-'));
    env = awsEnv(server, home);
  });
  after(async () => {
    await server?.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('boto3: upload_file/download_file (multipart), list_objects_v2 paginator, SHA1 checksum, head_bucket 404', async () => {
    const source = path.join(home, 'boto-source.bin');
    const target = path.join(home, 'boto-target.bin');
    writeRandomFile(source, 20 * 1024 * 1024 + 17);
    const { stdout } = await run('python3', ['-c', boto3Script, 'boto-bucket', source, target], { env });
    const result = JSON.parse(stdout) as { missing: unknown; etag: string; pages: string[][]; sha1: string[]; nokey: string };
    assert.deepEqual(result.missing, { status: 404, code: '404' });
    assert.match(result.etag, /^"[0-9a-f]{32}-3"$/);
    assert.ok(readFileSync(source).equals(readFileSync(target)));
    assert.deepEqual(result.pages, [['page/00 +%', 'page/01 +%', 'page/02 +%'], ['page/03 +%', 'page/04 +%', 'page/05 +%'], ['page/06 +%']]);
    assert.deepEqual(result.sha1, ['qZk+NkcGgWq6PiVxeFDCbJzQ2J0=', 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0=', 'abc']);
    assert.equal(result.nokey, 'NoSuchKey');
  });

  it('AWS CLI: mb, cp 100 MB both ways, sync both ways, ls, rm --recursive, s3api list-objects', async () => {
    await aws('s3', 'mb', 's3://cli-bucket');
    const big = path.join(home, 'big.bin');
    const back = path.join(home, 'big-back.bin');
    writeRandomFile(big, 100 * 1024 * 1024);
    await aws('s3', 'cp', big, 's3://cli-bucket/data/big.bin');
    await aws('s3', 'cp', 's3://cli-bucket/data/big.bin', back);
    assert.ok(readFileSync(big).equals(readFileSync(back)));
    rmSync(big);
    rmSync(back);

    const tree = path.join(home, 'tree');
    mkdirSync(path.join(tree, 'sub dir'), { recursive: true });
    writeFileSync(path.join(tree, 'a.txt'), 'a');
    writeFileSync(path.join(tree, 'sub dir', 'b+c.txt'), 'bc');
    writeFileSync(path.join(tree, 'sub dir', '100%.txt'), 'pct');
    await aws('s3', 'sync', tree, 's3://cli-bucket/tree');
    const mirror = path.join(home, 'mirror');
    await aws('s3', 'sync', 's3://cli-bucket/tree', mirror);
    assert.deepEqual(readdirSync(mirror).sort(), ['a.txt', 'sub dir']);
    assert.deepEqual(readdirSync(path.join(mirror, 'sub dir')).sort(), ['100%.txt', 'b+c.txt']);
    assert.equal(readFileSync(path.join(mirror, 'sub dir', 'b+c.txt'), 'utf8'), 'bc');

    const listing = await aws('s3', 'ls', 's3://cli-bucket/tree/');
    assert.match(listing.stdout, /PRE sub dir\//);
    assert.match(listing.stdout, /a\.txt/);
    const buckets = await aws('s3', 'ls');
    assert.match(buckets.stdout, /cli-bucket/);

    const v1 = JSON.parse((await aws('s3api', 'list-objects', '--bucket', 'cli-bucket', '--prefix', 'tree/', '--output', 'json')).stdout) as {
      Contents: Array<{ Key: string; Size: number }>;
    };
    assert.deepEqual(
      v1.Contents.map((object) => object.Key),
      ['tree/a.txt', 'tree/sub dir/100%.txt', 'tree/sub dir/b+c.txt'],
    );

    await aws('s3', 'rm', '--recursive', 's3://cli-bucket/');
    const empty = JSON.parse((await aws('s3api', 'list-objects-v2', '--bucket', 'cli-bucket', '--output', 'json')).stdout || '{}') as { Contents?: unknown[] };
    assert.equal(empty.Contents, undefined);
    await aws('s3', 'rb', 's3://cli-bucket');
  });
});
