import { S3ObjectStore } from '../../src/objectstore/index.js';
import { startServer, testCredentials, testRegion, type ServerProcess } from '../helpers/server-process.js';
import { objectStoreContract } from './object-store-contract.js';

/**
 * The contract suite against S3ObjectStore talking to a real S3-compatible HTTP service: a spawned
 * Salvia server (its S3 API stores into FsObjectStore). "Restart" restarts that server.
 */
function storeFor(server: ServerProcess): S3ObjectStore {
  return new S3ObjectStore({
    s3Endpoint: server.url,
    s3AccessKeyId: testCredentials.accessKeyId,
    s3SecretAccessKey: testCredentials.secretAccessKey,
    s3Region: testRegion,
    s3ForcePathStyle: true,
  });
}

objectStoreContract('S3ObjectStore against a Salvia server', async () => {
  let server = await startServer();
  return {
    store: storeFor(server),
    async reopen() {
      server = await server.restart();
      return storeFor(server);
    },
    dispose: () => server.dispose(),
  };
});
