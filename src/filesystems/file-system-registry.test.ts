import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../errors/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyFileSystemRepository } from '../store/repositories/filesystems.js';
import { FileSystemRegistry } from './file-system-registry.js';

async function rejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AwsError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('FileSystemRegistry', () => {
  let dir: string;
  let database: Database;
  let registry: FileSystemRegistry;
  const ro = { FileSystemId: 'fs-0123abcd', FileSystemType: 'EFS', FileSystemAccessMode: 'ro' } as const;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-fs-registry-'));
    mkdirSync(path.join(dir, 'root', 'data', 'train'), { recursive: true });
    mkdirSync(path.join(dir, 'outside'));
    writeFileSync(path.join(dir, 'root', 'file.txt'), 'x');
    symlinkSync(path.join(dir, 'outside'), path.join(dir, 'root', 'link-out'));
    symlinkSync(path.join(dir, 'root', 'data'), path.join(dir, 'root', 'link-in'));
    database = await openDatabase({ database: 'sqlite', dataDir: path.join(dir, 'db') });
    registry = new FileSystemRegistry({ repository: new KyselyFileSystemRepository(database), clock: () => 42 });
  });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers, lists and removes file systems; checks id and directory', async () => {
    assert.deepEqual(await registry.add('fs-0123abcd', path.join(dir, 'root')), {
      fileSystemId: 'fs-0123abcd',
      directory: path.join(dir, 'root'),
      creationTime: 42,
    });
    await registry.add('fs-99999999', path.join(dir, 'outside'));
    assert.deepEqual(
      (await registry.list()).map((f) => f.fileSystemId),
      ['fs-0123abcd', 'fs-99999999'],
    );
    await registry.remove('FS-99999999');
    await rejectsWith(registry.remove('fs-99999999'), 'ResourceNotFound', /FileSystem fs-99999999 does not exist/);
    await rejectsWith(registry.add('fs-12', dir), 'ValidationException', /File system id fs-12 is not valid/);
    await rejectsWith(registry.add('fs-0123abcd', 'relative/dir'), 'ValidationException', /must be an absolute path/);
    await rejectsWith(registry.add('fs-0123abcd', path.join(dir, 'nope')), 'ValidationException', /does not exist or is not a directory/);
    await rejectsWith(registry.add('fs-0123abcd', path.join(dir, 'root', 'file.txt')), 'ValidationException', /does not exist or is not a directory/);
  });

  it('resolves DirectoryPath inside the registered directory, following links that stay inside', async () => {
    await registry.add('fs-0123abcd', path.join(dir, 'root'));
    assert.deepEqual(await registry.resolveChannel('train', { ...ro, DirectoryPath: '/data/train' }), {
      hostPath: path.join(dir, 'root', 'data', 'train'),
      readOnly: true,
    });
    assert.deepEqual(await registry.resolveChannel('train', { ...ro, FileSystemAccessMode: 'rw', DirectoryPath: '/' }), {
      hostPath: path.join(dir, 'root'),
      readOnly: false,
    });
    assert.equal((await registry.resolveChannel('c', { ...ro, DirectoryPath: '/link-in/train' })).hostPath, path.join(dir, 'root', 'data', 'train'));
    assert.equal(
      (await registry.resolveChannel('c', { ...ro, FileSystemType: 'FSxLustre', DirectoryPath: '/fsx/data' })).hostPath,
      path.join(dir, 'root', 'data'),
    );
  });

  it('rejects unregistered ids, escaping or missing paths and bad types, naming the channel', async () => {
    await registry.add('fs-0123abcd', path.join(dir, 'root'));
    await rejectsWith(
      registry.resolveChannel('lists', { ...ro, FileSystemId: 'fs-deadbeef', DirectoryPath: '/' }),
      'ValidationException',
      /^Channel lists: file system fs-deadbeef is not registered.*salvia filesystems add fs-deadbeef/,
    );
    await rejectsWith(
      registry.resolveChannel('lists', { ...ro, DirectoryPath: '/data/../../outside' }),
      'ValidationException',
      /^Channel lists: DirectoryPath \/data\/\.\.\/\.\.\/outside escapes the file system fs-0123abcd\.$/,
    );
    await rejectsWith(
      registry.resolveChannel('lists', { ...ro, DirectoryPath: '/link-out' }),
      'ValidationException',
      /escapes the file system fs-0123abcd \(through a symbolic link\)/,
    );
    await rejectsWith(
      registry.resolveChannel('lists', { ...ro, DirectoryPath: '/nope' }),
      'ValidationException',
      /DirectoryPath \/nope does not exist in file system fs-0123abcd/,
    );
    await rejectsWith(registry.resolveChannel('lists', { ...ro, DirectoryPath: '/file.txt' }), 'ValidationException', /does not exist .*not a directory/);
    await rejectsWith(registry.resolveChannel('lists', { ...ro, DirectoryPath: 'data' }), 'ValidationException', /must be a full path/);
    await rejectsWith(
      registry.resolveChannel('lists', { ...ro, FileSystemType: 'NFS', DirectoryPath: '/' }),
      'ValidationException',
      /FileSystemType must be EFS or FSxLustre/,
    );
    await rejectsWith(
      registry.resolveChannel('lists', { ...ro, FileSystemAccessMode: 'wo', DirectoryPath: '/' }),
      'ValidationException',
      /FileSystemAccessMode must be ro or rw/,
    );
  });
});
