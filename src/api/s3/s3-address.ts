import { InvalidURI } from '../../errors/index.js';

/** What a request URL names: a bucket, a key in it, and the query parameters. */
export interface S3Address {
  /** Undefined for service-level requests (ListBuckets). */
  readonly bucket?: string;
  /** Undefined for bucket-level requests; never empty. */
  readonly key?: string;
  /** Query parameters, decoded; the first value of a repeated name wins. */
  readonly query: ReadonlyMap<string, string>;
  readonly style: 'path' | 'virtual-host';
}

export interface AddressOptions {
  /**
   * Host names under which `<bucket>.<base>` is a virtual-hosted bucket (besides `localhost`,
   * IP addresses and `…s3.<anything>`), e.g. `['salvia.example.com']`.
   */
  readonly virtualHostBases?: readonly string[];
}

const ipv4 = /^(\d{1,3}\.){3}\d{1,3}$/;

/** Percent-decodes a path segment or query part; malformed escapes or non-UTF-8 → InvalidURI. */
export function decodeUriPart(text: string, plusIsSpace = false): string {
  const source = plusIsSpace ? text.replace(/\+/g, ' ') : text;
  if (!source.includes('%')) return source;
  try {
    return decodeURIComponent(source);
  } catch (error) {
    throw new InvalidURI();
  }
}

/**
 * The bucket named by the Host header, if it is virtual-hosted: `<bucket>.localhost`,
 * `<bucket>.s3.localhost`, `<bucket>.s3.<region>.amazonaws.com`, `<bucket>.127.0.0.1`, or
 * `<bucket>.<configured base>`. Plain `localhost`, IP addresses and other host names are path-style.
 */
export function bucketFromHost(host: string | undefined, options: AddressOptions = {}): string | undefined {
  if (!host) return undefined;
  if (host.startsWith('[')) return undefined; // IPv6 literal
  const name = host.replace(/:\d*$/, '').toLowerCase().replace(/\.$/, '');
  if (name === '' || ipv4.test(name)) return undefined;
  const bases = [...(options.virtualHostBases ?? []).map((base) => base.toLowerCase()), 'localhost'];
  for (const base of bases) {
    if (name.endsWith(`.${base}`)) return stripS3Label(name.slice(0, -base.length - 1));
  }
  const ipSuffix = /^(.+)\.((?:\d{1,3}\.){3}\d{1,3})$/.exec(name);
  if (ipSuffix?.[1]) return stripS3Label(ipSuffix[1]);
  const awsStyle = /^(.+?)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com$/.exec(name);
  if (awsStyle?.[1]) return awsStyle[1];
  return undefined;
}

/** `bucket.s3` → `bucket`, `bucket.s3.us-east-1` → `bucket`, `s3` → undefined. */
function stripS3Label(prefix: string): string | undefined {
  if (prefix === 's3' || /^s3[.-]/.test(prefix)) return undefined;
  const cut = /^(.+?)\.s3(?:[.-][a-z0-9-]+)*$/.exec(prefix);
  return cut?.[1] ?? prefix;
}

/** Splits the raw query string into decoded parameters. */
export function parseQuery(text: string): Map<string, string> {
  const query = new Map<string, string>();
  if (text === '') return query;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeUriPart(eq === -1 ? part : part.slice(0, eq), true);
    const value = eq === -1 ? '' : decodeUriPart(part.slice(eq + 1), true);
    if (!query.has(name)) query.set(name, value);
  }
  return query;
}

/**
 * Parses the RAW request target (`request.raw.url`, still percent-encoded) and Host header into
 * bucket, key and query, so that keys keep `+`, `%`, `..`, `//` and spaces exactly.
 * Throws InvalidURI on malformed percent-encoding.
 */
export function parseS3Address(rawUrl: string, host: string | undefined, options: AddressOptions = {}): S3Address {
  let target = rawUrl;
  // An absolute-form request target (`http://host/path`), as proxies send.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  const questionMark = target.indexOf('?');
  const rawPath = questionMark === -1 ? target : target.slice(0, questionMark);
  const query = parseQuery(questionMark === -1 ? '' : target.slice(questionMark + 1));
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;

  const hostBucket = bucketFromHost(host, options);
  if (hostBucket !== undefined) {
    const key = decodeUriPart(path);
    return { bucket: hostBucket, ...(key === '' ? {} : { key }), query, style: 'virtual-host' };
  }
  if (path === '') return { query, style: 'path' };
  const slash = path.indexOf('/');
  const bucket = decodeUriPart(slash === -1 ? path : path.slice(0, slash));
  const key = slash === -1 ? '' : decodeUriPart(path.slice(slash + 1));
  if (bucket === '') return { query, style: 'path' };
  return { bucket, ...(key === '' ? {} : { key }), query, style: 'path' };
}
