import { parseS3Uri, type S3Location } from '../../training/data/index.js';

/**
 * Where the output of an input object goes: `<S3OutputPath>/<relativePath>.out`, `relativePath` being
 * the object's key relative to the input prefix (listChannelObjects' rule: `s3://b/in/` +
 * `in/sub/x.csv` → `sub/x.csv`; an S3Uri naming one object → its base name). A trailing `/` of
 * S3OutputPath is optional. Throws ValidationException for an S3OutputPath that is not an S3 URI.
 */
export function outputLocation(s3OutputPath: string, relativePath: string): S3Location {
  const { bucket, key } = parseS3Uri(s3OutputPath);
  const base = key === '' || key.endsWith('/') ? key : `${key}/`;
  return { bucket, key: `${base}${relativePath}.out` };
}
