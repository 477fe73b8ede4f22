/**
 * How processes outside the server (channel sidecars: Pipe feeders, FUSE mounts) reach the job's
 * objects: over HTTP, through the server's own S3 API or the external S3 service it keeps objects
 * in. Sidecars get these settings in an environment of their own, never the server's AWS_* variables.
 */
export interface SidecarS3Access {
  /** `http://127.0.0.1:<port>` (the server's bound address) or the configured external endpoint. */
  readonly endpoint: string;
  readonly region: string;
  /** Absent only for an external endpoint configured without keys. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly forcePathStyle: boolean;
}

/** The URL a local client uses for a server bound to `address`: wildcard addresses become loopback. */
export function localUrl(address: { address: string; family: string; port: number }): string {
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${address.family === 'IPv6' || host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
