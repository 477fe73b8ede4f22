import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  AddTagsCommand,
  CreateModelCommand,
  DeleteTagsCommand,
  DescribeModelCommand,
  ListModelsCommand,
  ListTagsCommand,
  SageMakerClient,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../helpers/postgres.js';
import { clientConfig, startServer, type ServerProcess } from '../helpers/server-process.js';

// Metadata and objects acknowledged through the API survive a restart of the server: a crash
// (kill -9 right after the last acknowledgement) and a clean SIGTERM, on SQLite and on PostgreSQL.
// Everything is written, the server is stopped, a new server opens the same data directory (and
// database), and every object is compared byte for byte and every model and tag field by field.

interface Written {
  readonly bucket: string;
  /** Key → SHA-256 of the body and the ETag the server acknowledged. */
  readonly objects: Map<string, { sha256: string; size: number; etag: string }>;
  /** Model name → what CreateModel sent and answered. */
  readonly models: Map<string, { arn: string; image: string; modelDataUrl: string; environment: Record<string, string> }>;
  /** Model ARN → the tags ListTags must return, sorted by key. */
  readonly tags: Map<string, Tag[]>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const byKey = (a: Tag, b: Tag): number => ((a.Key ?? '') < (b.Key ?? '') ? -1 : (a.Key ?? '') > (b.Key ?? '') ? 1 : 0);

function clients(server: ServerProcess): { s3: S3Client; sagemaker: SageMakerClient; destroy(): void } {
  const s3 = new S3Client({ ...clientConfig(server), maxAttempts: 1 });
  const sagemaker = new SageMakerClient({ ...clientConfig(server), maxAttempts: 1 });
  return {
    s3,
    sagemaker,
    destroy() {
      s3.destroy();
      sagemaker.destroy();
    },
  };
}

/** Writes objects (small ones and a 12 MiB multipart one), models and tags; returns what was acknowledged. */
async function writeEverything(server: ServerProcess, prefix: string): Promise<Written> {
  const { s3, sagemaker, destroy } = clients(server);
  try {
    const bucket = `${prefix}-bucket`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const objects: Written['objects'] = new Map();
    const small: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['one-byte', Uint8Array.of(0)],
      ['dir/nested/text.txt', new TextEncoder().encode('hello, durable world\n')],
      ['unicode/ключ-鍵-🚀.bin', randomBytes(4096)],
      ['binary-64k', randomBytes(64 * 1024 + 3)],
    ];
    for (const [key, body] of small) {
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      objects.set(key, { sha256: sha256(body), size: body.length, etag: put.ETag ?? '' });
    }
    const big = randomBytes(12 * 1024 * 1024 + 12345);
    const upload = await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: 'models/model.tar.gz', Body: big },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    }).done();
    assert.match(upload.ETag ?? '', /-3"$/, 'a three-part multipart ETag');
    objects.set('models/model.tar.gz', { sha256: sha256(big), size: big.length, etag: upload.ETag ?? '' });

    const models: Written['models'] = new Map();
    const tags: Written['tags'] = new Map();
    for (let i = 0; i < 3; i++) {
      const name = `${prefix}-Model-${i}`;
      const modelDataUrl = `s3://${bucket}/models/model.tar.gz`;
      const environment = { INDEX: String(i), TEXT: 'ü 🚀' };
      const created = await sagemaker.send(
        new CreateModelCommand({
          ModelName: name,
          ExecutionRoleArn: 'arn:aws:iam::000000000000:role/SalviaDurability',
          PrimaryContainer: { Image: `salvia/serving:${i}`, ModelDataUrl: modelDataUrl, Environment: environment },
          Tags: [
            { Key: 'created-with', Value: 'CreateModel' },
            { Key: 'index', Value: String(i) },
          ],
        }),
      );
      assert.ok(created.ModelArn);
      models.set(name, { arn: created.ModelArn, image: `salvia/serving:${i}`, modelDataUrl, environment });
      tags.set(created.ModelArn, [
        { Key: 'created-with', Value: 'CreateModel' },
        { Key: 'index', Value: String(i) },
      ]);
    }
    // Later changes must survive too: an added tag, an overwritten one and a deleted one.
    const [firstArn] = [...tags.keys()];
    assert.ok(firstArn);
    await sagemaker.send(
      new AddTagsCommand({
        ResourceArn: firstArn,
        Tags: [
          { Key: 'stage', Value: 'durable' },
          { Key: 'index', Value: 'overwritten' },
        ],
      }),
    );
    await sagemaker.send(new DeleteTagsCommand({ ResourceArn: firstArn, TagKeys: ['created-with'] }));
    tags.set(firstArn, [
      { Key: 'index', Value: 'overwritten' },
      { Key: 'stage', Value: 'durable' },
    ]);
    return { bucket, objects, models, tags };
  } finally {
    destroy();
  }
}

/** Reads everything back from a (restarted) server and compares it with what was acknowledged. */
async function checkEverything(server: ServerProcess, written: Written): Promise<void> {
  const { s3, sagemaker, destroy } = clients(server);
  try {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: written.bucket }));
    assert.deepEqual((listed.Contents ?? []).map((o) => o.Key).sort(), [...written.objects.keys()].sort());
    for (const [key, expected] of written.objects) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: written.bucket, Key: key }));
      assert.equal(head.ETag, expected.etag, `ETag of ${key}`);
      assert.equal(head.ContentLength, expected.size, `size of ${key}`);
      const got = await s3.send(new GetObjectCommand({ Bucket: written.bucket, Key: key }));
      const body = (await got.Body?.transformToByteArray()) ?? new Uint8Array(0);
      assert.equal(body.length, expected.size, `bytes of ${key}`);
      assert.equal(sha256(body), expected.sha256, `content of ${key}`);
    }

    const listedModels = await sagemaker.send(new ListModelsCommand({ MaxResults: 100 }));
    const names = new Set((listedModels.Models ?? []).map((m) => m.ModelName));
    for (const [name, expected] of written.models) {
      assert.ok(names.has(name), `ListModels has ${name}`);
      const described = await sagemaker.send(new DescribeModelCommand({ ModelName: name }));
      assert.equal(described.ModelName, name);
      assert.equal(described.ModelArn, expected.arn);
      assert.equal(described.PrimaryContainer?.Image, expected.image);
      assert.equal(described.PrimaryContainer?.ModelDataUrl, expected.modelDataUrl);
      assert.deepEqual(described.PrimaryContainer?.Environment, expected.environment);
      assert.ok(described.CreationTime instanceof Date && !Number.isNaN(described.CreationTime.getTime()));
    }
    for (const [arn, expected] of written.tags) {
      const listedTags = await sagemaker.send(new ListTagsCommand({ ResourceArn: arn }));
      assert.deepEqual([...(listedTags.Tags ?? [])].sort(byKey), expected, `tags of ${arn}`);
    }
  } finally {
    destroy();
  }
}

type Stop = 'kill -9' | 'SIGTERM';

async function survives(stop: Stop, args: readonly string[], prefix: string): Promise<void> {
  const first = await startServer({ args });
  let second: ServerProcess | undefined;
  try {
    const written = await writeEverything(first, prefix);
    if (stop === 'kill -9') await first.kill9();
    else await first.stop();
    assert.equal(first.child.signalCode ?? first.child.exitCode, stop === 'kill -9' ? 'SIGKILL' : 0, first.output());
    second = await startServer({ args, dataDir: first.dataDir });
    await checkEverything(second, written);
    // And once more, so that what the second server itself wrote at start-up (if anything) is sound too.
    await second.kill9();
    second = await startServer({ args, dataDir: first.dataDir });
    await checkEverything(second, written);
  } finally {
    await second?.stop();
    await first.dispose();
  }
}

const unique = (label: string): string => `dur-${label}-${process.pid}-${Date.now().toString(36)}`;

describe('durability across restarts on SQLite', () => {
  test('everything acknowledged survives kill -9 of the server', async () => {
    await survives('kill -9', [], unique('k9'));
  });
  test('everything acknowledged survives a clean SIGTERM restart', async () => {
    await survives('SIGTERM', [], unique('term'));
  });
});

describe('durability across restarts on PostgreSQL', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  test('everything acknowledged survives kill -9 of the server', async () => {
    const url = await (await sharedPostgres()).createDatabase();
    await survives('kill -9', ['--database', url], unique('pgk9'));
  });
  test('everything acknowledged survives a clean SIGTERM restart', async () => {
    const url = await (await sharedPostgres()).createDatabase();
    await survives('SIGTERM', ['--database', url], unique('pgterm'));
  });
});
