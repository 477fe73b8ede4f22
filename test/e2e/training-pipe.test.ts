import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { StopTrainingJobCommand, type Channel } from '@aws-sdk/client-sagemaker';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { addImage, createJob, getBytes, jobRequest, trainingEnv, untarGzBytes, waitForEnd, waitForLog, type TrainingEnv } from './training-harness.js';

/** The records of an MXNet RecordIO stream (magic, flag/length word, payload, padding to 4 bytes); whole records only. */
function recordIO(stream: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < stream.length) {
    assert.equal(stream.readUInt32LE(offset), 0xced7230a, `RecordIO magic at ${offset}`);
    const word = stream.readUInt32LE(offset + 4);
    assert.equal(word >>> 29, 0, 'whole records only');
    const length = word & 0x1fffffff;
    records.push(stream.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length + ((4 - (length % 4)) % 4);
  }
  assert.equal(offset, stream.length, 'the stream ends after a record');
  return records;
}

const pipeChannel = (name: string, uri: string, extra: Partial<Channel> = {}, source: Record<string, unknown> = {}): Channel => ({
  ChannelName: name,
  DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uri, S3DataDistributionType: 'FullyReplicated', ...source } },
  ...extra,
});

/** Process ids whose command line names `needle` or whose environment sets TRAINING_JOB_NAME=`job`. */
function processesOf(needle: string, job: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (cmdline.includes(needle) || environ.split('\0').includes(`TRAINING_JOB_NAME=${job}`)) found.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

// Pipe mode end to end: FIFOs <channel>_<epoch> fed by the feeder sidecar, read by a script as
// PipeModeDataset does, compared byte for byte with the source objects.
describe('training channels in Pipe mode', () => {
  let env: TrainingEnv;
  const bucket = 'pipe-training';
  const objects = new Map<string, Buffer>();
  const scratch = mkdtempSync(path.join(tmpdir(), 'salvia-pipe-test-'));

  const putBytes = async (key: string, body: Buffer): Promise<void> => {
    objects.set(key, body);
    await env.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  };
  const model = async (job: string): Promise<Map<string, Buffer>> => untarGzBytes(await getBytes(env, `output/${job}/output/model.tar.gz`));
  const concat = (keys: string[]): Buffer => Buffer.concat(keys.map((k) => objects.get(k) as Buffer));

  before(async () => {
    env = await trainingEnv(bucket, { args: ['--training-cpus', '16'] });
    await addImage(env.server, 'pipe-reader', 'pipe-reader');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('streams several epochs: replicated and partly read, sharded and shuffled per epoch as RecordIO, gzipped, and an augmented manifest', async () => {
    const plain = ['pipe/plain/p0', 'pipe/plain/p1', 'pipe/plain/p2'];
    await putBytes(plain[0] as string, randomBytes(1_500_000));
    await putBytes(plain[1] as string, randomBytes(3));
    await putBytes(plain[2] as string, randomBytes(1001));
    const shuffled = Array.from({ length: 8 }, (_, i) => `pipe/shuf/s${i}`);
    for (const [i, key] of shuffled.entries()) await putBytes(key, randomBytes(1 + i * 613));
    const gzText = ['first gzipped object\n', 'second one\n'];
    for (const [i, text] of gzText.entries()) await env.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `pipe/gz/g${i}.gz`, Body: gzipSync(text) }));
    await putBytes('pipe/img/a.bin', randomBytes(777));
    await putBytes('pipe/img/b.bin', randomBytes(10));
    const manifest = [
      { 'source-ref': `s3://${bucket}/pipe/img/a.bin`, label: 1, ignored: 'x' },
      { 'source-ref': `s3://${bucket}/pipe/img/b.bin`, label: 'cat', ignored: 'y' },
    ];
    await env.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'pipe/aug.manifest', Body: manifest.map((l) => JSON.stringify(l)).join('\n') }));

    const job = 'pipe-epochs';
    await createJob(env, {
      ...jobRequest(env, job, 'pipe-reader'),
      AlgorithmSpecification: { TrainingImage: jobRequest(env, job, 'pipe-reader').AlgorithmSpecification?.TrainingImage, TrainingInputMode: 'Pipe' },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2, VolumeSizeInGB: 1 },
      HyperParameters: { epochs: '3', partial: 'plain:0:5' },
      InputDataConfig: [
        pipeChannel('plain', `s3://${bucket}/pipe/plain/`),
        pipeChannel(
          'shuffled',
          `s3://${bucket}/pipe/shuf/`,
          { RecordWrapperType: 'RecordIO', ShuffleConfig: { Seed: 7 } },
          { S3DataDistributionType: 'ShardedByS3Key' },
        ),
        pipeChannel('gz', `s3://${bucket}/pipe/gz/`, { CompressionType: 'Gzip' }),
        pipeChannel(
          'aug',
          `s3://${bucket}/pipe/aug.manifest`,
          { RecordWrapperType: 'RecordIO' },
          { S3DataType: 'AugmentedManifestFile', AttributeNames: ['source-ref', 'label'] },
        ),
      ],
    });
    const described = await waitForEnd(env, job);
    assert.equal(described.TrainingJobStatus, 'Completed', described.FailureReason);
    const files = await model(job);
    const read = (host: string, channel: string, epoch: number): Buffer => {
      const file = files.get(`${host}/${channel}-${epoch}.bin`);
      assert.ok(file, `${host} read ${channel} epoch ${epoch}`);
      return file;
    };
    const orders: string[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      const allRecords: string[] = [];
      for (const host of ['algo-1', 'algo-2']) {
        // The reader closed epoch 0 of `plain` after 5 bytes; the next epochs are whole again.
        assert.ok(read(host, 'plain', epoch).equals(epoch === 0 ? concat(plain).subarray(0, 5) : concat(plain)), `${host} plain ${epoch}`);
        assert.equal(read(host, 'gz', epoch).toString('utf8'), gzText.join(''));
        assert.deepEqual(
          recordIO(read(host, 'aug', epoch)).map((r) => r.toString('base64')),
          [objects.get('pipe/img/a.bin'), Buffer.from('1'), objects.get('pipe/img/b.bin'), Buffer.from('cat')].map((b) => (b as Buffer).toString('base64')),
        );
        const records = recordIO(read(host, 'shuffled', epoch)).map((record) => {
          const key = shuffled.find((k) => (objects.get(k) as Buffer).equals(record));
          assert.ok(key, `every ${host} record of epoch ${epoch} is one whole source object`);
          return key;
        });
        assert.equal(records.length, 4, 'ShardedByS3Key gives each of 2 instances half of 8 objects');
        allRecords.push(...records);
        orders.push(`${epoch}:${host}:${records.join(',')}`);
      }
      assert.deepEqual([...allRecords].sort(), [...shuffled].sort(), `epoch ${epoch}: every object on exactly one instance`);
    }
    const perEpoch = [0, 1, 2].map((e) => orders.filter((o) => o.startsWith(`${e}:`)).map((o) => o.slice(2)));
    assert.notDeepEqual(perEpoch[0], perEpoch[1], 'the seeded shuffle differs between epochs');
    assert.notDeepEqual(perEpoch[1], perEpoch[2], 'the seeded shuffle differs between epochs');
  });

  it('signs its GETs: a server that checks SigV4 (--auth) feeds both the curl path and the SDK path', async () => {
    const authed = await trainingEnv('pipe-auth', { args: ['--auth'] });
    try {
      await addImage(authed.server, 'pipe-reader', 'pipe-reader');
      const data = randomBytes(70_001);
      await authed.s3.send(new PutObjectCommand({ Bucket: 'pipe-auth', Key: 'in/data.bin', Body: data }));
      await createJob(authed, {
        ...jobRequest(authed, 'pipe-auth', 'pipe-reader'),
        HyperParameters: { epochs: '1' },
        InputDataConfig: [
          pipeChannel('plain', 's3://pipe-auth/in/', { InputMode: 'Pipe' }),
          pipeChannel('wrapped', 's3://pipe-auth/in/', { InputMode: 'Pipe', RecordWrapperType: 'RecordIO' }),
        ],
      });
      const described = await waitForEnd(authed, 'pipe-auth');
      assert.equal(described.TrainingJobStatus, 'Completed', described.FailureReason);
      const files = untarGzBytes(await getBytes(authed, 'output/pipe-auth/output/model.tar.gz'));
      assert.ok(files.get('algo-1/plain-0.bin')?.equals(data));
      assert.deepEqual(recordIO(files.get('algo-1/wrapped-0.bin') as Buffer), [data]);
    } finally {
      await authed.close();
      await authed.server.dispose();
    }
  });

  it('fails the job naming the channel and the object when an object disappears while the channel streams', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => `gone/k${i}`);
    for (const key of keys) await putBytes(key, randomBytes(1000));
    const release = path.join(scratch, 'release-gone');
    const job = 'pipe-gone';
    await createJob(env, {
      ...jobRequest(env, job, 'pipe-reader'),
      HyperParameters: { epochs: '3', wait_file: release },
      InputDataConfig: [pipeChannel('data', `s3://${bucket}/gone/`, { InputMode: 'Pipe' })],
    });
    await waitForLog(env, job, /^epoch 0 read$/);
    await env.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone/k4' }));
    writeFileSync(release, '');
    const described = await waitForEnd(env, job);
    assert.equal(described.TrainingJobStatus, 'Failed');
    assert.match(described.FailureReason ?? '', /^ClientError: Channel data: the object s3:\/\/pipe-training\/gone\/k4 could not be read/);
  });

  it('StopTrainingJob during a pipe read ends the job with no feeder, supervisor or training process left', async () => {
    await putBytes('big/object', randomBytes(4 * 1024 * 1024));
    const job = 'pipe-stop';
    await createJob(env, {
      ...jobRequest(env, job, 'pipe-reader'),
      HyperParameters: { hang_after: '65536' },
      InputDataConfig: [pipeChannel('data', `s3://${bucket}/big/`, { InputMode: 'Pipe' })],
    });
    await waitForLog(env, job, /^reading$/);
    const jobDir = path.join(env.server.dataDir, 'jobs', 'training', job);
    assert.ok(processesOf(jobDir, job).length >= 2, 'the supervisor, the feeder and the reader run');
    await env.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: job }));
    const described = await waitForEnd(env, job);
    assert.equal(described.TrainingJobStatus, 'Stopped', described.FailureReason);
    // The supervisor writes its result just before it exits: wait (bounded) for it to be gone too.
    const deadline = Date.now() + 10_000;
    while (processesOf(jobDir, job).length > 0 && Date.now() < deadline) await delay(50);
    assert.deepEqual(processesOf(jobDir, job), []);
    assert.equal(existsSync(path.join(jobDir, 'instances')), false, 'the instance directories (and their FIFOs) are removed');
  });
});
