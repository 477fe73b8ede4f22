import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateTrainingJobCommand, type Channel } from '@aws-sdk/client-sagemaker';
import { repoRoot, testCredentials, type ServerProcess } from '../helpers/server-process.js';
import { sdkErrorOf } from '../helpers/sdk-errors.js';
import { addImage, createJob, getBytes, jobRequest, put, sandboxSkipReason, trainingEnv, untarGz, waitForEnd, type TrainingEnv } from './training-harness.js';

// File-system channels (FileSystemDataSource): `salvia filesystems add <fs-id> <dir>` registers a
// directory; a job's channel naming it sees <dir>/<DirectoryPath> at /opt/ml/input/data/<channel>,
// read-only (enforced by bubblewrap) or writable, next to ordinary S3 channels.

const execFileAsync = promisify(execFile);

async function salvia(server: ServerProcess, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [path.join(repoRoot, 'bin/salvia.js'), 'filesystems', ...args, '--endpoint-url', server.url],
      {
        env: { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

interface Report {
  files: Record<string, string>;
  writes: Record<string, string>;
  inputdataconfig: Record<string, Record<string, string>>;
}

async function report(env: TrainingEnv, job: string): Promise<Report> {
  return JSON.parse(untarGz(await getBytes(env, `output/${job}/output/model.tar.gz`)).get('report.json') ?? '{}') as Report;
}

const fsChannel = (name: string, id: string, directoryPath: string, mode: 'ro' | 'rw', type: 'EFS' | 'FSxLustre' = 'EFS'): Channel => ({
  ChannelName: name,
  DataSource: { FileSystemDataSource: { FileSystemId: id, FileSystemType: type, DirectoryPath: directoryPath, FileSystemAccessMode: mode } },
});

describe('training with file-system channels', () => {
  let env: TrainingEnv;
  let work: string;
  let efs: string;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'salvia-fs-channels-'));
    efs = path.join(work, 'efs');
    mkdirSync(path.join(efs, 'lists'), { recursive: true });
    mkdirSync(path.join(efs, 'scratch'), { recursive: true });
    mkdirSync(path.join(work, 'secret'));
    writeFileSync(path.join(efs, 'lists', 'train.lst'), '0\t1\timg/a.jpg\n');
    writeFileSync(path.join(efs, 'lists', 'val.lst'), '0\t0\timg/b.jpg\n');
    env = await trainingEnv('fs-channels-e2e');
    await addImage(env.server, 'fs-channel-report', 'channel-report');
    await put(env, 'img/a.jpg', 'jpeg-a');
    await put(env, 'img/b.jpg', 'jpeg-b');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('salvia filesystems add, list and remove; bad input is refused with the server’s reason', async () => {
    const added = await salvia(env.server, ['add', 'fs-0123abcd', efs]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, `registered fs-0123abcd -> ${efs}\n`);
    assert.equal((await salvia(env.server, ['add', 'fs-99999999aa', path.join(work, 'secret')])).code, 0);
    const listed = await salvia(env.server, ['list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      listed.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(/\s+/)),
      [
        ['FILE', 'SYSTEM', 'DIRECTORY'],
        ['fs-0123abcd', efs],
        ['fs-99999999aa', path.join(work, 'secret')],
      ],
    );
    const removed = await salvia(env.server, ['remove', 'fs-99999999aa']);
    assert.equal(removed.stdout, 'removed fs-99999999aa\n');
    assert.doesNotMatch((await salvia(env.server, ['list'])).stdout, /fs-99999999aa/);
    const again = await salvia(env.server, ['remove', 'fs-99999999aa']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^salvia: ResourceNotFound: File system fs-99999999aa is not registered\.\n$/);
    const badId = await salvia(env.server, ['add', 'fs-xyz', efs]);
    assert.equal(badId.code, 1);
    assert.match(badId.stderr, /ValidationException: File system id fs-xyz is not valid/);
    const missing = await salvia(env.server, ['add', 'fs-0123abcd', path.join(work, 'nope')]);
    assert.match(missing.stderr, /ValidationException: File system directory .*nope does not exist or is not a directory/);
  });

  it('/_salvia/filesystems answers bad requests in the AWS JSON error shape', async () => {
    const call = async (method: string, route: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> => {
      const response = await fetch(`${env.server.url}/_salvia/${route}`, { method, ...(body !== undefined ? { body } : {}) });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    assert.deepEqual(await call('PUT', 'filesystems/fs-0123abcd', '{}'), {
      status: 400,
      json: { __type: 'ValidationException', message: 'Directory (an absolute path) is required.' },
    });
    const notJson = await call('PUT', 'filesystems/fs-0123abcd', 'not json');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json['__type'], 'SerializationException');
    assert.deepEqual(await call('GET', 'filesystems/fs-0000ffff'), {
      status: 404,
      json: { __type: 'ResourceNotFound', message: 'File system fs-0000ffff is not registered.' },
    });
    assert.equal((await call('POST', 'filesystems')).status, 405);
    assert.equal((await call('PATCH', 'filesystems/fs-0123abcd')).status, 405);
  });

  it('rejects unregistered ids, escaping paths and non-File modes at CreateTrainingJob', async () => {
    await salvia(env.server, ['add', 'fs-0123abcd', efs]);
    const create = (name: string, channel: Channel, mode: 'File' | 'FastFile' = 'File') =>
      sdkErrorOf(
        env.sagemaker.send(
          new CreateTrainingJobCommand(
            jobRequest(env, name, 'fs-channel-report', {
              InputDataConfig: [channel],
              AlgorithmSpecification: { TrainingImage: 'fs-channel-report', TrainingInputMode: mode },
            }),
          ),
        ),
      );
    const unregistered = await create('fs-bad-1', fsChannel('lists', 'fs-deadbeef', '/lists', 'ro'));
    assert.equal(unregistered.name, 'ValidationException');
    assert.match(unregistered.message, /^Channel lists: file system fs-deadbeef is not registered/);
    const escaping = await create('fs-bad-2', fsChannel('lists', 'fs-0123abcd', '/lists/../../secret', 'ro'));
    assert.equal(escaping.name, 'ValidationException');
    assert.equal(escaping.message, 'Channel lists: DirectoryPath /lists/../../secret escapes the file system fs-0123abcd.');
    const absent = await create('fs-bad-3', fsChannel('lists', 'fs-0123abcd', '/nope', 'ro'));
    assert.match(absent.message, /^Channel lists: DirectoryPath \/nope does not exist in file system fs-0123abcd/);
    const fastFile = await create('fs-bad-4', fsChannel('lists', 'fs-0123abcd', '/lists', 'ro'), 'FastFile');
    assert.equal(fastFile.message, 'Channel lists: a FileSystemDataSource channel must use File input mode, not FastFile.');
    const badType = await create('fs-bad-5', {
      ChannelName: 'lists',
      DataSource: {
        FileSystemDataSource: { FileSystemId: 'fs-0123abcd', FileSystemType: 'NFS' as 'EFS', DirectoryPath: '/lists', FileSystemAccessMode: 'ro' },
      },
    });
    assert.equal(badType.name, 'ValidationException');
    assert.match(badType.message, /fileSystemType' failed to satisfy constraint: Member must satisfy enum value set: \[EFS, FSxLustre\]/);
  });

  it('mounts file systems next to an S3 channel: ro enforced (EROFS), rw writes through, FSx mount name dropped', { skip: sandboxSkipReason() }, async () => {
    await salvia(env.server, ['add', 'fs-0123abcd', efs]);
    await createJob(
      env,
      jobRequest(env, 'fs-mixed', 'fs-channel-report', {
        InputDataConfig: [
          { ChannelName: 'images', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/img/` } } },
          fsChannel('lists', 'fs-0123abcd', '/lists', 'ro'),
          fsChannel('scratch', 'fs-0123abcd', '/fsx/scratch/', 'rw', 'FSxLustre'),
        ],
      }),
    );
    const job = await waitForEnd(env, 'fs-mixed');
    assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
    const seen = await report(env, 'fs-mixed');
    assert.deepEqual(seen.files, {
      'images/a.jpg': 'jpeg-a',
      'images/b.jpg': 'jpeg-b',
      'lists/train.lst': '0\t1\timg/a.jpg\n',
      'lists/val.lst': '0\t0\timg/b.jpg\n',
    });
    assert.deepEqual(seen.writes, { images: 'ok', lists: 'EROFS', scratch: 'ok' });
    assert.deepEqual(seen.inputdataconfig['lists'], { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' });
    assert.equal(readFileSync(path.join(efs, 'scratch', 'written-by-job'), 'utf8'), 'written\n');
    assert.equal(existsSync(path.join(efs, 'lists', 'written-by-job')), false);
    // The instance directories are gone after the job; the file system's files are not.
    assert.equal(readFileSync(path.join(efs, 'lists', 'train.lst'), 'utf8'), '0\t1\timg/a.jpg\n');
  });
});

describe('file-system channels without a sandbox', () => {
  let env: TrainingEnv;
  let work: string;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'salvia-fs-nosandbox-'));
    mkdirSync(path.join(work, 'data'));
    writeFileSync(path.join(work, 'data', 'x.lst'), 'x\n');
    env = await trainingEnv('fs-nosandbox-e2e', { args: ['--training-sandbox', 'false'] });
    await addImage(env.server, 'fs-ns-report', 'channel-report');
    assert.equal((await salvia(env.server, ['add', 'fs-0000aaaa', work])).code, 0);
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('fails a ro channel with a ClientError naming it (nothing could enforce ro) and links a rw one', async () => {
    await createJob(env, jobRequest(env, 'fs-ns-ro', 'fs-ns-report', { InputDataConfig: [fsChannel('lists', 'fs-0000aaaa', '/data', 'ro')] }));
    const ro = await waitForEnd(env, 'fs-ns-ro');
    assert.equal(ro.TrainingJobStatus, 'Failed');
    assert.match(ro.FailureReason ?? '', /^ClientError: Channel lists: FileSystemAccessMode ro cannot be enforced without the bubblewrap sandbox/);
    await createJob(env, jobRequest(env, 'fs-ns-rw', 'fs-ns-report', { InputDataConfig: [fsChannel('lists', 'fs-0000aaaa', '/data', 'rw')] }));
    const rw = await waitForEnd(env, 'fs-ns-rw');
    assert.equal(rw.TrainingJobStatus, 'Completed', rw.FailureReason);
    const seen = await report(env, 'fs-ns-rw');
    assert.deepEqual(seen.files, { 'lists/x.lst': 'x\n' });
    assert.deepEqual(seen.writes, { lists: 'ok' });
    assert.equal(readFileSync(path.join(work, 'data', 'written-by-job'), 'utf8'), 'written\n');
    assert.equal(readFileSync(path.join(work, 'data', 'x.lst'), 'utf8'), 'x\n');
  });
});
