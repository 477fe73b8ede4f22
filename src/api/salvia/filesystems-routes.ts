import { AwsError, ValidationException } from '../../errors/index.js';
import type { FileSystemRecord, FileSystemRegistry } from '../../filesystems/index.js';
import { parseJsonObject } from '../protocol/aws-json.js';

function wireFileSystem(record: FileSystemRecord): object {
  return { FileSystemId: record.fileSystemId, Directory: record.directory, CreationTime: new Date(record.creationTime) };
}

const notRegistered = (id: string): AwsError => new AwsError('ResourceNotFound', 404, `File system ${id} is not registered.`);

/**
 * `/_salvia/filesystems` (route `filesystems…` below the prefix): `GET filesystems` lists the
 * registered file systems; `GET|PUT|DELETE filesystems/<fs-id>` reads, registers
 * (`{"Directory": "/abs/dir"}`) or removes one. Returns the JSON body to send; throws AwsError.
 */
export async function handleFileSystems(fileSystems: FileSystemRegistry, method: string, route: string, body: Buffer): Promise<object> {
  if (route === 'filesystems' || route === 'filesystems/') {
    if (method !== 'GET') throw new AwsError('MethodNotAllowed', 405, `${method} is not allowed on /_salvia/filesystems.`);
    return { FileSystems: (await fileSystems.list()).map(wireFileSystem) };
  }
  let id: string;
  try {
    id = decodeURIComponent(route.slice('filesystems/'.length));
  } catch (error) {
    throw new ValidationException('The file system id in the path is not valid percent-encoding.', { cause: error });
  }
  switch (method) {
    case 'GET': {
      const record = await fileSystems.get(id);
      if (!record) throw notRegistered(id);
      return wireFileSystem(record);
    }
    case 'PUT': {
      const directory = parseJsonObject(body)['Directory'];
      if (typeof directory !== 'string' || directory === '') throw new ValidationException('Directory (an absolute path) is required.');
      return wireFileSystem(await fileSystems.add(id, directory));
    }
    case 'DELETE': {
      if (!(await fileSystems.get(id))) throw notRegistered(id);
      await fileSystems.remove(id);
      return {};
    }
    default:
      throw new AwsError('MethodNotAllowed', 405, `${method} is not allowed on /_salvia/filesystems/<fs-id>.`);
  }
}
