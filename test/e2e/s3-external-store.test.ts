import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CreateModelCommand, DescribeModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { clientConfig, startServer, testCredentials, type ServerProcess } from '../helpers/server-process.js';

// `--s3-endpoint`: the platform keeps its objects in an external S3-compatible service. The
// external service here is a second Salvia server (a real S3 REST endpoint on loopback); what one
// writes through the platform must land in the external service, and the platform's own features
// (CreateModel's ModelDataUrl check) must read through it.

let external: ServerProcess;
let platform: ServerProcess;

before(async () => {
  external = await startServer();
  platform = await startServer({
    args: [
      '--s3-endpoint',
      external.url,
      '--s3-access-key-id',
      testCredentials.accessKeyId,
      '--s3-secret-access-key',
      testCredentials.secretAccessKey,
      '--s3-region',
      'us-east-1',
    ],
  });
});
after(async () => {
  await platform?.dispose();
  await external?.dispose();
});

test('objects written through the platform live in the external S3 service', async () => {
  const viaPlatform = new S3Client(clientConfig(platform));
  const direct = new S3Client(clientConfig(external));
  await viaPlatform.send(new CreateBucketCommand({ Bucket: 'external-data' }));
  await viaPlatform.send(
    new PutObjectCommand({ Bucket: 'external-data', Key: 'small/hello.txt', Body: 'hello', ContentType: 'text/plain', Metadata: { origin: 'platform' } }),
  );
  const large = randomBytes(11 * 1024 * 1024);
  await new Upload({ client: viaPlatform, params: { Bucket: 'external-data', Key: 'large/blob.bin', Body: large }, partSize: 5 * 1024 * 1024 }).done();

  const small = await direct.send(new GetObjectCommand({ Bucket: 'external-data', Key: 'small/hello.txt' }));
  assert.equal(await small.Body?.transformToString(), 'hello');
  assert.equal(small.ContentType, 'text/plain');
  assert.equal(small.Metadata?.origin, 'platform');
  const blob = await direct.send(new GetObjectCommand({ Bucket: 'external-data', Key: 'large/blob.bin' }));
  assert.ok(Buffer.from(await blob.Body!.transformToByteArray()).equals(large));

  const listed = await viaPlatform.send(new ListObjectsV2Command({ Bucket: 'external-data' }));
  assert.deepEqual(
    listed.Contents?.map((o) => o.Key),
    ['large/blob.bin', 'small/hello.txt'],
  );
  viaPlatform.destroy();
  direct.destroy();
});

test('CreateModel checks ModelDataUrl through the external store', async () => {
  const s3 = new S3Client(clientConfig(external));
  await s3.send(new CreateBucketCommand({ Bucket: 'external-models' }));
  await s3.send(new PutObjectCommand({ Bucket: 'external-models', Key: 'm/model.tar.gz', Body: 'not really a tarball' }));
  const sagemaker = new SageMakerClient(clientConfig(platform));
  const container = (url: string) => ({ Image: 'example/image:1', ModelDataUrl: url });
  await sagemaker.send(
    new CreateModelCommand({
      ModelName: 'ext-model',
      ExecutionRoleArn: 'arn:aws:iam::000000000000:role/r',
      PrimaryContainer: container('s3://external-models/m/model.tar.gz'),
    }),
  );
  const described = await sagemaker.send(new DescribeModelCommand({ ModelName: 'ext-model' }));
  assert.equal(described.PrimaryContainer?.ModelDataUrl, 's3://external-models/m/model.tar.gz');
  await assert.rejects(
    sagemaker.send(
      new CreateModelCommand({
        ModelName: 'ext-missing',
        ExecutionRoleArn: 'arn:aws:iam::000000000000:role/r',
        PrimaryContainer: container('s3://external-models/m/absent.tar.gz'),
      }),
    ),
    (error: Error) => error.name === 'ValidationException' && /Could not find model data at s3:\/\/external-models\/m\/absent\.tar\.gz/.test(error.message),
  );
  s3.destroy();
  sagemaker.destroy();
});
