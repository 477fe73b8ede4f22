import { once } from 'node:events';
import { createServer } from 'node:net';

/** A loopback port nothing listens on right now (bound to port 0, then released) for a model server's SAGEMAKER_BIND_TO_PORT. */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address !== 'object') throw new Error('could not find a free port');
  return address.port;
}
