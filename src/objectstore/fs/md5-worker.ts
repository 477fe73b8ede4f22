// Worker thread that computes MD5 digests for the file-system store, so that hashing a large body
// runs beside the main thread's HTTP and disk work instead of on it. Messages (see md5-pool.ts):
// { id, op: 'update', data, length } → { id, op: 'ack', bytes, data }; { id, op: 'digest' } → { id, op: 'digest', digest }.
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

interface Request {
  readonly id: number;
  readonly op: 'update' | 'digest';
  readonly data?: ArrayBuffer;
  readonly length?: number;
}

const hashes = new Map<number, Hash>();
const port = parentPort;
if (!port) throw new Error('md5-worker must run as a worker thread');

port.on('message', (message: Request) => {
  let hash = hashes.get(message.id);
  if (!hash) {
    hash = createHash('md5');
    hashes.set(message.id, hash);
  }
  if (message.op === 'update' && message.data) {
    const length = message.length ?? message.data.byteLength;
    hash.update(new Uint8Array(message.data, 0, length));
    // Hand the buffer back for reuse.
    port.postMessage({ id: message.id, op: 'ack', bytes: length, data: message.data }, [message.data]);
  } else {
    hashes.delete(message.id);
    const digest = hash.digest();
    port.postMessage({ id: message.id, op: 'digest', digest: new Uint8Array(digest).buffer });
  }
});
