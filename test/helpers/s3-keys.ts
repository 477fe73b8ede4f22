import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** Every key under `prefix` in `env.bucket` (all pages, in S3's order). */
export async function listKeys(env: { readonly s3: S3Client; readonly bucket: string }, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await env.s3.send(new ListObjectsV2Command({ Bucket: env.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}
