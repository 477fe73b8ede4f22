/** A loopback port nothing listens on right now: bound to port 0, then released (hosting's own probe). */
export { freePort as unusedPort } from '../../src/hosting/free-port.js';
