// Training input modes against a real `salvia server` (npm run build && node dist/bench/input-modes.js).
//
// A dataset of TFRecord files (SALVIA_BENCH_GB, default 4 GB, in files of ~100 MB of ~100 KiB
// records) is uploaded, then read record by record by one Python training script
// (bench/fixtures/tfrecord-reader) in File, Pipe and FastFile modes through real training jobs,
// next to two limits measured in the same run: the same script reading the files from local disk
// (page cache warm), and raw GET throughput from the object store (curl, sequential, to /dev/null).
// Reports records/s, MB/s, the reader's CPU, the machine's CPU, and time to first record (from
// CreateTrainingJob; from the process start for local disk). A mode the server rejects (FastFile
// before it is available) is skipped with the reason. Prints a Markdown table for docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand, type TrainingInputMode } from '@aws-sdk/client-sagemaker';
import { untarGzBytes } from '../test/e2e/training-harness.js';
import { repoRoot } from '../test/helpers/server-process.js';
import { addImage, benchEnv, completedJob, getBytes } from './bench-env.js';

const totalGB = Number(process.env.SALVIA_BENCH_GB ?? 4);
const fileMB = Number(process.env.SALVIA_BENCH_FILE_MB ?? 100);
const modes = (process.env.SALVIA_BENCH_MODES ?? 'File,Pipe,FastFile').split(',') as TrainingInputMode[];
const reader = path.join(repoRoot, 'bench/fixtures/tfrecord-reader');
const bucket = 'bench-input-modes';

/** CRC-32C (Castagnoli), table-driven. */
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
/** TFRecord's masked CRC: rotate right by 15 and add a constant. */
const masked = (crc: number): number => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

/** One framed TFRecord: uint64 length, masked CRC of the length bytes, data, masked CRC of the data. */
function frame(data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeBigUInt64LE(BigInt(data.length), 0);
  head.writeUInt32LE(masked(crc32c(head.subarray(0, 8))), 8);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(masked(crc32c(data)), 0);
  return Buffer.concat([head, data, tail]);
}

/** Writes the dataset: files of ~fileMB of framed records (80–120 KiB each, drawn from a pool of 64 random payloads). */
function writeDataset(dir: string): { files: string[]; bytes: number; records: number } {
  const pool = Array.from({ length: 64 }, () => frame(randomBytes(80 * 1024 + Math.floor(Math.random() * 40 * 1024))));
  const count = Math.max(1, Math.round((totalGB * 1000) / fileMB));
  const files: string[] = [];
  let bytes = 0;
  let records = 0;
  for (let f = 0; f < count; f++) {
    const file = path.join(dir, `part-${String(f).padStart(5, '0')}.tfrecord`);
    const fd = openSync(file, 'w');
    let size = 0;
    for (let r = 0; size < fileMB * 1e6; r++) {
      const record = pool[(r * 7 + f * 13) % pool.length] as Buffer;
      writeSync(fd, record);
      size += record.length;
      records++;
    }
    closeSync(fd);
    files.push(file);
    bytes += size;
  }
  return { files, bytes, records };
}

interface ReaderStats {
  first_record: number;
  last_record: number;
  records: number;
  bytes: number;
  cpu_seconds: number;
}

/** Busy and total jiffies of the whole machine (/proc/stat). */
function cpuTimes(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Starts measuring the machine's CPU; the function returned gives the busy share (all cores) since. */
function machineCpu(): () => number {
  const start = cpuTimes();
  return () => {
    const now = cpuTimes();
    return (now.busy - start.busy) / (now.total - start.total);
  };
}

interface Row {
  what: string;
  records: number;
  readSeconds: number;
  firstRecordMs: number;
  endToEndSeconds: number;
  readerCpu: number;
  machineCpu: number;
  note?: string;
}

/** A row from the reader's stats; `start` is when the measured run began (Date.now()). */
function readerRow(what: string, stats: ReaderStats, start: number, machine: number): Row {
  const readSeconds = stats.last_record - stats.first_record;
  return {
    what,
    records: stats.records,
    readSeconds,
    firstRecordMs: stats.first_record * 1000 - start,
    endToEndSeconds: stats.last_record - start / 1000,
    readerCpu: stats.cpu_seconds / readSeconds,
    machineCpu: machine,
  };
}

const mb = (bytes: number, seconds: number): string => `${Math.round(bytes / 1e6 / seconds)} MB/s`;

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'salvia-bench-input-'));
  const env = await benchEnv(bucket);
  const rows: Row[] = [];
  const skipped: string[] = [];
  try {
    process.stderr.write(`writing ${totalGB} GB of TFRecord files …\n`);
    const dataDir = path.join(work, 'data');
    mkdirSync(dataDir, { recursive: true });
    const dataset = writeDataset(dataDir);
    process.stderr.write(`${dataset.files.length} files, ${dataset.records} records, ${dataset.bytes} bytes; uploading …\n`);
    for (const file of dataset.files) {
      await env.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: `tfrecords/${path.basename(file)}`, Body: createReadStream(file), ContentLength: statSync(file).size }),
      );
    }
    await addImage(env.server, 'bench-tfrecord', reader);

    // Limit 1: the script reading the same files from local disk.
    {
      const statsFile = path.join(work, 'local-stats.json');
      const cpu = machineCpu();
      const start = Date.now();
      const run = spawnSync(path.join(reader, 'train'), {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SM_CHANNEL_TRAIN: dataDir, STATS_FILE: statsFile },
        encoding: 'utf8',
      });
      if (run.status !== 0) throw new Error(`local read failed: ${run.stderr}`);
      const machine = cpu();
      const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as ReaderStats;
      rows.push(readerRow('Local disk (same script, page cache warm) — limit', stats, start, machine));
    }

    // Limit 2: raw GET of every object, one after the other on one connection (curl to /dev/null).
    {
      const urls = dataset.files.flatMap((file) => [`${env.server.url}/${bucket}/tfrecords/${path.basename(file)}`, '-o', '/dev/null']);
      const cpu = machineCpu();
      const start = Date.now();
      const run = spawnSync('curl', ['-sS', '-f', '-w', '%{time_starttransfer}\\n', ...urls], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`curl failed: ${run.stderr}`);
      const seconds = (Date.now() - start) / 1000;
      const machine = cpu();
      rows.push({
        what: 'Raw GET (curl, sequential, to /dev/null) — limit',
        records: dataset.records,
        readSeconds: seconds,
        firstRecordMs: Number(run.stdout.split('\n')[0]) * 1000,
        endToEndSeconds: seconds,
        readerCpu: NaN,
        machineCpu: machine,
      });
    }

    for (const mode of modes) {
      const name = `input-${mode.toLowerCase()}-${Date.now()}`;
      const cpu = machineCpu();
      const start = Date.now();
      try {
        await env.sagemaker.send(
          new CreateTrainingJobCommand({
            TrainingJobName: name,
            AlgorithmSpecification: { TrainingImage: 'bench-tfrecord', TrainingInputMode: mode },
            RoleArn: 'arn:aws:iam::000000000000:role/Bench',
            OutputDataConfig: { S3OutputPath: `s3://${bucket}/output` },
            ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 100 },
            StoppingCondition: { MaxRuntimeInSeconds: 3600 },
            InputDataConfig: [
              {
                ChannelName: 'train',
                DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/tfrecords/`, S3DataDistributionType: 'FullyReplicated' } },
              },
            ],
          }),
        );
      } catch (error) {
        skipped.push(`${mode}: skipped — CreateTrainingJob answered ${(error as Error).name}: ${(error as Error).message}`);
        continue;
      }
      await completedJob(env, name, 50);
      const machine = cpu();
      const files = untarGzBytes(await getBytes(env, `output/${name}/output/model.tar.gz`));
      const stats = JSON.parse((files.get('stats.json') as Buffer).toString('utf8')) as ReaderStats;
      if (stats.records !== dataset.records) throw new Error(`${mode}: read ${stats.records} of ${dataset.records} records`);
      rows.push(readerRow(`${mode} mode (training job)`, stats, start, machine));
    }

    const rawGet = rows.find((r) => r.what.startsWith('Raw GET'));
    const pct = (value: number): string => (Number.isNaN(value) ? '—' : `${Math.round(value * 100)} %`);
    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
    process.stdout.write(
      [
        `Input modes, ${dataset.files.length} TFRecord files of ~${fileMB} MB (${(dataset.bytes / 1e9).toFixed(2)} GB, ${dataset.records} records), ` +
          `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, commit ${commit}:`,
        '',
        '| Read | records/s | MB/s (reading) | vs raw GET | MB/s (from CreateTrainingJob) | time to first record | reader CPU (1 core = 100 %) | machine CPU (all cores) |',
        '|---|---|---|---|---|---|---|---|',
        ...rows.map(
          (r) =>
            `| ${r.what} | ${Math.round(r.records / r.readSeconds)} | ${mb(dataset.bytes, r.readSeconds)} | ${
              rawGet && r !== rawGet ? pct(rawGet.readSeconds / r.readSeconds) : '—'
            } | ${mb(dataset.bytes, r.endToEndSeconds)} | ${Math.round(r.firstRecordMs)} ms | ${pct(r.readerCpu)} | ${pct(r.machineCpu)} |`,
        ),
        ...skipped.map((s) => `\n${s}`),
        '',
      ].join('\n'),
    );
  } finally {
    await env.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
