import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tar from 'tar';
import { FsObjectStore } from '../objectstore/index.js';
import { stageSubmitDirectory, SubmitDirectoryError } from './submit-directory.js';

const metadata = { userMetadata: {}, headers: {} };

describe('stageSubmitDirectory', () => {
  let dir: string;
  let store: FsObjectStore;
  let source: string;
  let archive: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-submit-'));
    store = await FsObjectStore.open(path.join(dir, 'objects'));
    await store.createBucket('code-bucket');
    source = path.join(dir, 'source');
    mkdirSync(path.join(source, 'pkg'), { recursive: true });
    writeFileSync(path.join(source, 'train.py'), 'print("hi")\n');
    writeFileSync(path.join(source, 'pkg', 'util.py'), 'X = 1\n');
    archive = path.join(dir, 'sourcedir.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: source }, ['train.py', 'pkg']);
    await store.putObject('code-bucket', 'job-1/source/sourcedir.tar.gz', { body: createReadStream(archive), metadata });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('downloads and extracts an s3:// sourcedir.tar.gz given JSON-quoted, as the SageMaker SDK sends it', async () => {
    const codeDir = path.join(dir, 'code-s3');
    const staged = await stageSubmitDirectory(
      store,
      { sagemaker_submit_directory: '"s3://code-bucket/job-1/source/sourcedir.tar.gz"', sagemaker_program: '"train.py"' },
      codeDir,
    );
    assert.equal(staged, 's3://code-bucket/job-1/source/sourcedir.tar.gz');
    assert.equal(readFileSync(path.join(codeDir, 'train.py'), 'utf8'), 'print("hi")\n');
    assert.equal(readFileSync(path.join(codeDir, 'pkg', 'util.py'), 'utf8'), 'X = 1\n');
  });

  it('copies a local directory and extracts a local archive; does nothing without the hyperparameter', async () => {
    const fromDir = path.join(dir, 'code-local');
    await stageSubmitDirectory(store, { sagemaker_submit_directory: JSON.stringify(`file://${source}`) }, fromDir);
    assert.equal(readFileSync(path.join(fromDir, 'pkg', 'util.py'), 'utf8'), 'X = 1\n');
    const fromArchive = path.join(dir, 'code-archive');
    await stageSubmitDirectory(store, { sagemaker_submit_directory: archive }, fromArchive);
    assert.equal(readFileSync(path.join(fromArchive, 'train.py'), 'utf8'), 'print("hi")\n');
    assert.equal(await stageSubmitDirectory(store, { epochs: '3' }, path.join(dir, 'none')), undefined);
    assert.equal(existsSync(path.join(dir, 'none')), false);
  });

  it('never writes outside the code directory', async () => {
    const work = path.join(dir, 'evil', 'inner');
    mkdirSync(work, { recursive: true });
    writeFileSync(path.join(dir, 'evil', 'escaped.txt'), 'outside');
    writeFileSync(path.join(work, 'ok.txt'), 'inside');
    const evil = path.join(dir, 'evil.tar.gz');
    // GNU tar with -P keeps the `../` member name as given.
    execFileSync('tar', ['-czPf', evil, '../escaped.txt', 'ok.txt'], { cwd: work });
    await store.putObject('code-bucket', 'evil.tar.gz', { body: createReadStream(evil), metadata });
    const codeDir = path.join(dir, 'sandbox', 'code');
    await stageSubmitDirectory(store, { sagemaker_submit_directory: '"s3://code-bucket/evil.tar.gz"' }, codeDir);
    assert.equal(readFileSync(path.join(codeDir, 'ok.txt'), 'utf8'), 'inside');
    assert.equal(existsSync(path.join(dir, 'sandbox', 'escaped.txt')), false);
  });

  it('fails with a message naming the source when it is missing or not an archive', async () => {
    const codeDir = path.join(dir, 'code-missing');
    await assert.rejects(stageSubmitDirectory(store, { sagemaker_submit_directory: '"s3://code-bucket/nope.tar.gz"' }, codeDir), (error: unknown) => {
      assert.ok(error instanceof SubmitDirectoryError);
      assert.match(error.message, /^Cannot stage sagemaker_submit_directory s3:\/\/code-bucket\/nope\.tar\.gz: The specified key does not exist/);
      return true;
    });
    await store.putObject('code-bucket', 'garbage.tar.gz', { body: createReadStream(path.join(source, 'train.py')), metadata });
    await assert.rejects(
      stageSubmitDirectory(store, { sagemaker_submit_directory: '"s3://code-bucket/garbage.tar.gz"' }, codeDir),
      /not a readable tar\.gz archive/,
    );
    await assert.rejects(stageSubmitDirectory(store, { sagemaker_submit_directory: '"s3://code-bucket"' }, codeDir), /expected s3:\/\/bucket\/key\.tar\.gz/);
    await assert.rejects(
      stageSubmitDirectory(store, { sagemaker_submit_directory: '"relative/dir"' }, codeDir),
      /expected an s3:\/\/ URI or an absolute local path/,
    );
    await assert.rejects(stageSubmitDirectory(store, { sagemaker_submit_directory: '"/no/such/dir"' }, codeDir), /no such file or directory/);
  });
});
