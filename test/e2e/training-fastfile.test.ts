import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand, StopTrainingJobCommand, type Channel } from '@aws-sdk/client-sagemaker';
import { sdkErrorOf } from '../helpers/sdk-errors.js';
import {
  addImage,
  createJob,
  getBytes,
  jobRequest,
  put,
  sandboxSkipReason,
  trainingEnv,
  untarGz,
  waitForEnd,
  waitForLog,
  type TrainingEnv,
} from './training-harness.js';

// FastFile input mode: the channel is an rclone FUSE mount of its S3 prefix, read lazily with ranged
// GETs. The server runs with --log-level debug, so each mount logs every request's headers to
// logs/sidecar-<name>.log: which byte ranges were fetched is read from there, not assumed.

const MiB = 1024 * 1024;
const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function fuseSkipReason(): string | false {
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    return '/dev/fuse is not available';
  }
  const onPath = (program: string): boolean =>
    (process.env['PATH'] ?? '').split(':').some((dir) => {
      try {
        accessSync(path.join(dir, program), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  return onPath('rclone') && onPath('fusermount3') ? false : 'rclone or fusermount3 is missing (scripts/setup-test-deps.sh installs them)';
}

interface Report {
  files: Record<string, string>;
  ranges: Record<string, string>;
  write: string;
  mount: string[];
  listings?: Record<string, string[]>;
}

/** Mount points at or below `dir` in this (the host's) mount namespace. */
function mountsBelow(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`));
}

/** Processes whose command line names `text`. */
function processesNaming(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(text)) found.push(`${pid} ${cmdline}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** The byte ranges of every GET of `/<bucket>/<key>` an rclone log (with --dump headers) shows; a GET without Range counts as the whole object. */
function fetchedRanges(log: string, bucket: string, key: string, size: number): Array<[number, number]> {
  const lines = log.split('\n').map((line) => line.replace(/^\d+ /, ''));
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < lines.length; i++) {
    if (!new RegExp(`DEBUG : GET /${bucket}/${key} HTTP/1\\.1$`).test(lines[i] ?? '')) continue;
    let range: [number, number] = [0, size - 1];
    for (let j = i + 1; j < lines.length && (lines[j] ?? '').trim() !== '' && !/^[<>]{5,}/.test(lines[j] ?? ''); j++) {
      const match = /^Range: bytes=(\d+)-(\d+)$/i.exec((lines[j] ?? '').trim());
      if (match) range = [Number(match[1]), Math.min(Number(match[2]), size - 1)];
    }
    ranges.push(range);
  }
  return ranges;
}

const fastFile = (uri: string, extra: Partial<Channel> = {}): Channel => ({
  ChannelName: 'train',
  InputMode: 'FastFile',
  DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uri } },
  ...extra,
});

describe('training with FastFile channels', { skip: sandboxSkipReason() || fuseSkipReason() }, () => {
  let env: TrainingEnv;
  const big = randomBytes(48 * MiB);
  const small = randomBytes(100_000);
  const jobDir = (name: string): string => path.join(env.server.dataDir, 'jobs', 'training', name.toLowerCase());
  const report = async (job: string, host = 'algo-1'): Promise<Report> =>
    JSON.parse(untarGz(await getBytes(env, `output/${job}/output/model.tar.gz`)).get(`report-${host}.json`) ?? '{}') as Report;

  before(async () => {
    env = await trainingEnv('fastfile-e2e', { args: ['--log-level', 'debug'] });
    await addImage(env.server, 'ff-reader', 'fastfile-reader');
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'data/big.bin', Body: big }));
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'data/sub/small.bin', Body: small }));
    await put(env, 'data/a.txt', 'alpha\n');
    await put(env, 'other/x.txt', 'not in the channel\n');
    await put(env, 'other/x.txt.old', 'older\n');
    await put(env, 'other/y.txt', 'y\n');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
  });

  it('presents the prefix read-only, byte for byte, and leaves no mount or rclone behind', async () => {
    await createJob(env, jobRequest(env, 'ff-whole', 'ff-reader', { InputDataConfig: [fastFile(`s3://${env.bucket}/data/`)] }));
    const job = await waitForEnd(env, 'ff-whole');
    assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
    const seen = await report('ff-whole');
    assert.deepEqual(seen.files, { 'a.txt': sha(Buffer.from('alpha\n')), 'big.bin': sha(big), 'sub/small.bin': sha(small) });
    assert.equal(seen.write, 'EROFS');
    assert.deepEqual(seen.mount, ['fuse.rclone']);
    assert.deepEqual(mountsBelow(jobDir('ff-whole')), []);
    assert.deepEqual(processesNaming(jobDir('ff-whole')), []);
  });

  it('shows what File mode would: one object for a URI naming it, names starting with a partial prefix; nothing there is a ClientError', async () => {
    await createJob(
      env,
      jobRequest(env, 'ff-uris', 'ff-reader', {
        InputDataConfig: [
          fastFile(`s3://${env.bucket}/data/a.txt`),
          { ...fastFile(`s3://${env.bucket}/other/x.txt`), ChannelName: 'exact' },
          { ...fastFile(`s3://${env.bucket}/other/x`), ChannelName: 'partial' },
        ],
      }),
    );
    const job = await waitForEnd(env, 'ff-uris');
    assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
    const seen = await report('ff-uris');
    assert.deepEqual(seen.files, { 'a.txt': sha(Buffer.from('alpha\n')) });
    assert.deepEqual(seen.listings, { exact: ['x.txt'], partial: ['x.txt', 'x.txt.old'] });
    await createJob(env, jobRequest(env, 'ff-empty', 'ff-reader', { InputDataConfig: [fastFile(`s3://${env.bucket}/nothing/`)] }));
    const empty = await waitForEnd(env, 'ff-empty');
    assert.equal(empty.TrainingJobStatus, 'Failed');
    assert.match(empty.FailureReason ?? '', /^ClientError: No S3 objects found under S3 URL "s3:\/\/fastfile-e2e\/nothing\/"/);
  });

  it('fetches only the ranges a random-access reader reads', async () => {
    const reads: Array<[number, number]> = [
      [20 * MiB, 4096],
      [5 * MiB + 123, 10_000],
      [40 * MiB, 4096],
    ];
    const ranges = reads.map(([offset, length]) => `big.bin:${offset}:${length}`).join(',');
    await createJob(
      env,
      jobRequest(env, 'ff-random', 'ff-reader', { InputDataConfig: [fastFile(`s3://${env.bucket}/data/`)], HyperParameters: { ranges, whole: '0' } }),
    );
    const job = await waitForEnd(env, 'ff-random');
    assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
    const seen = await report('ff-random');
    for (const [offset, length] of reads) assert.equal(seen.ranges[`big.bin:${offset}:${length}`], sha(big.subarray(offset, offset + length)));
    const log = readFileSync(path.join(jobDir('ff-random'), 'logs', 'sidecar-fastfile-train-algo-1.log'), 'utf8');
    const fetched = fetchedRanges(log, env.bucket, 'data/big.bin', big.length);
    for (const [offset, length] of reads)
      assert.ok(
        fetched.some(([start, end]) => start <= offset && offset + length - 1 <= end),
        `no GET covered ${offset}+${length}: ${JSON.stringify(fetched)}`,
      );
    // rclone 1.60 opens a file's reader at offset 0 (one 1 MiB chunk requested, abandoned at the seek)
    // and then requests one 1 MiB chunk per read: nothing else of the 48 MiB object.
    const covering = (start: number, end: number): boolean => reads.some(([offset, length]) => start <= offset && offset + length - 1 <= end);
    assert.deepEqual(
      fetched.filter(([start, end]) => !covering(start, end)),
      reads.map(() => [0, MiB - 1]),
    );
    assert.ok(fetched.length === 2 * reads.length && fetched.every(([start, end]) => end - start + 1 <= MiB), JSON.stringify(fetched));
    assert.deepEqual(mountsBelow(jobDir('ff-random')), []);
  });

  it('shards by S3 key across two instances, each seeing only its objects', async () => {
    await createJob(
      env,
      jobRequest(env, 'ff-sharded', 'ff-reader', {
        InputDataConfig: [
          fastFile(`s3://${env.bucket}/data/`, {
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/data/`, S3DataDistributionType: 'ShardedByS3Key' } },
          }),
        ],
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2, VolumeSizeInGB: 1 },
        HyperParameters: { whole: '1' },
      }),
    );
    const job = await waitForEnd(env, 'ff-sharded');
    assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
    const one = await report('ff-sharded', 'algo-1');
    const two = await report('ff-sharded', 'algo-2');
    // Keys sorted (data/a.txt, data/big.bin, data/sub/small.bin), key i to algo-(i mod 2 + 1), as File mode shards.
    assert.deepEqual(one.files, { 'a.txt': sha(Buffer.from('alpha\n')), 'sub/small.bin': sha(small) });
    assert.deepEqual(two.files, { 'big.bin': sha(big) });
  });

  it('a job stopped while it reads leaves no mount and no process behind', async () => {
    await createJob(env, jobRequest(env, 'ff-stop', 'ff-reader', { InputDataConfig: [fastFile(`s3://${env.bucket}/data/`)], HyperParameters: { hold: '1' } }));
    await waitForLog(env, 'ff-stop', /holding the channel open/);
    assert.equal(mountsBelow(jobDir('ff-stop')).length, 1);
    await env.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'ff-stop' }));
    const job = await waitForEnd(env, 'ff-stop');
    assert.equal(job.TrainingJobStatus, 'Stopped', job.FailureReason);
    assert.deepEqual(mountsBelow(jobDir('ff-stop')), []);
    assert.deepEqual(processesNaming(jobDir('ff-stop')), []);
  });

  it('a supervisor killed with SIGKILL leaves no mount and no process behind either', async () => {
    await createJob(env, jobRequest(env, 'ff-kill', 'ff-reader', { InputDataConfig: [fastFile(`s3://${env.bucket}/data/`)], HyperParameters: { hold: '1' } }));
    await waitForLog(env, 'ff-kill', /holding the channel open/);
    process.kill(Number(readFileSync(path.join(jobDir('ff-kill'), 'supervisor', 'pid'), 'utf8')), 'SIGKILL');
    const job = await waitForEnd(env, 'ff-kill');
    assert.equal(job.TrainingJobStatus, 'Failed');
    assert.match(job.FailureReason ?? '', /^InternalServerError: the training processes ended unexpectedly/);
    assert.deepEqual(mountsBelow(jobDir('ff-kill')), []);
    assert.deepEqual(processesNaming(jobDir('ff-kill')), []);
  });

  it('refuses manifests and compression in FastFile mode at CreateTrainingJob', async () => {
    const create = (name: string, channel: Channel) =>
      sdkErrorOf(env.sagemaker.send(new CreateTrainingJobCommand(jobRequest(env, name, 'ff-reader', { InputDataConfig: [channel] }))));
    const manifest = await create(
      'ff-bad-1',
      fastFile(`s3://${env.bucket}/m.manifest`, { DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: `s3://${env.bucket}/m.manifest` } } }),
    );
    assert.equal(manifest.name, 'ValidationException');
    assert.match(manifest.message, /^Channel train: FastFile input mode supports S3DataType S3Prefix only, not ManifestFile/);
    const gzip = await create('ff-bad-2', fastFile(`s3://${env.bucket}/data/`, { CompressionType: 'Gzip' }));
    assert.equal(gzip.message, 'Channel train: CompressionType Gzip is supported in Pipe input mode only, not FastFile.');
  });
});

describe('FastFile without FUSE tools', () => {
  let env: TrainingEnv;
  let emptyPath: string;

  before(async () => {
    emptyPath = mkdtempSync(path.join(tmpdir(), 'salvia-no-rclone-'));
    // No rclone and no fusermount3 on the server's PATH (node itself is started by absolute path).
    env = await trainingEnv('fastfile-nofuse-e2e', { env: { PATH: emptyPath } });
    await addImage(env.server, 'ff-nofuse', 'fastfile-reader');
    await put(env, 'data/a.txt', 'alpha\n');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
    rmSync(emptyPath, { recursive: true, force: true });
  });

  it('fails the job at start with a ClientError saying what is missing, without downloading', async () => {
    await createJob(env, jobRequest(env, 'ff-nofuse', 'ff-nofuse', { InputDataConfig: [fastFile(`s3://${env.bucket}/data/`)] }));
    const job = await waitForEnd(env, 'ff-nofuse');
    assert.equal(job.TrainingJobStatus, 'Failed');
    assert.match(
      job.FailureReason ?? '',
      /^ClientError: FastFile input mode \(channel train\) needs a FUSE mount, but this host lacks the rclone program, fusermount3 \(Debian package fuse3\); use File input mode/,
    );
    assert.equal(job.TrainingStartTime, undefined);
  });
});

describe('FastFile without a sandbox', { skip: fuseSkipReason() }, () => {
  let env: TrainingEnv;

  before(async () => {
    env = await trainingEnv('fastfile-nosandbox-e2e', { args: ['--training-sandbox', 'false'] });
    await addImage(env.server, 'ff-ns-reader', 'fastfile-reader');
    await put(env, 'data/a.txt', 'alpha\n');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
  });

  it('mounts the channel at the instance directory the SM_* paths name', async () => {
    await createJob(env, jobRequest(env, 'ff-ns', 'ff-ns-reader', { InputDataConfig: [fastFile(`s3://${env.bucket}/data/`)] }));
    const job = await waitForEnd(env, 'ff-ns');
    assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
    const seen = JSON.parse(untarGz(await getBytes(env, 'output/ff-ns/output/model.tar.gz')).get('report-algo-1.json') ?? '{}') as Report;
    assert.deepEqual(seen.files, { 'a.txt': sha(Buffer.from('alpha\n')) });
    assert.equal(seen.write, 'EROFS');
    assert.deepEqual(seen.mount, ['fuse.rclone']);
    assert.deepEqual(mountsBelow(path.join(env.server.dataDir, 'jobs')), []);
  });
});
