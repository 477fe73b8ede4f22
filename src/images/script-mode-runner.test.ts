import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RuntimeEnvironments } from './runtime-environments.js';
import { defaultRuntimeDir } from './runtime-paths.js';

const runtimeDir = defaultRuntimeDir();
const fixtures = path.join(runtimeDir, '..', 'test', 'fixtures', 'images', 'script');
const runner = path.join(runtimeDir, 'script_mode', 'train.py');

describe('script-mode runner (runtime/script_mode/train.py)', () => {
  let dir: string;
  let python: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-runner-'));
    // A venv of our own, so requirements.txt installs do not touch the interpreter the tests run with.
    const requirements = path.join(dir, 'none.txt');
    writeFileSync(requirements, '\n');
    python = (await new RuntimeEnvironments({ dataDir: dir, python: 'python3' }).ensure(requirements, () => undefined)).python;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Lays out an /opt/ml-like directory with the fixtures as code and runs the runner on it. */
  function run(name: string, hyperparameters: Record<string, string>, requirements?: string) {
    const base = path.join(dir, name);
    for (const sub of ['input/config', 'input/data/train', 'model', 'output/data']) mkdirSync(path.join(base, sub), { recursive: true });
    cpSync(fixtures, path.join(base, 'code'), { recursive: true });
    if (requirements !== undefined) writeFileSync(path.join(base, 'code', 'requirements.txt'), requirements);
    writeFileSync(path.join(base, 'input/config/hyperparameters.json'), JSON.stringify(hyperparameters));
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      SAGEMAKER_BASE_DIR: base,
      SM_MODEL_DIR: path.join(base, 'model'),
      SM_CHANNEL_TRAIN: path.join(base, 'input/data/train'),
    };
    const result = spawnSync(python, [runner], { env, encoding: 'utf8' });
    const failure = (): string => readFileSync(path.join(base, 'output', 'failure'), 'utf8');
    return { base, result, failure };
  }

  it('installs requirements.txt, then runs sagemaker_program with the hyperparameters as arguments, as the toolkit does', () => {
    const { base, result } = run(
      'ok',
      {
        sagemaker_program: '"echo_args.py"',
        sagemaker_submit_directory: '"s3://bucket/job/source/sourcedir.tar.gz"',
        sagemaker_region: '"us-east-1"',
        epochs: '10',
        lr: '0.1',
        name: '"resnet"',
        flag: 'true',
        layers: '[1, 2]',
        opts: '{"b": 2, "a": "x"}',
        raw: 'not json',
        x: '5',
      },
      'annotated-doc\n',
    );
    assert.equal(result.status, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /Reporting training SUCCESS/);
    const record = JSON.parse(readFileSync(path.join(base, 'model', 'run.json'), 'utf8')) as {
      argv: string[];
      cwd: string;
      helper: string;
      sm: Record<string, string>;
      annotated_doc: boolean;
    };
    assert.deepEqual(record.argv, [
      '--epochs',
      '10',
      '--flag',
      'True',
      '--layers',
      '[1, 2]',
      '--lr',
      '0.1',
      '--name',
      'resnet',
      '--opts',
      'a=x,b=2',
      '--raw',
      'not json',
      '-x',
      '5',
    ]);
    assert.equal(record.cwd, path.join(base, 'code'));
    assert.equal(record.helper, 'helper-imported');
    assert.equal(record.annotated_doc, true);
    assert.equal(record.sm['SM_CHANNEL_TRAIN'], path.join(base, 'input/data/train'));
  });

  it('writes an ExecuteUserScriptError failure with the script error and exits with its code', () => {
    const crashed = run('crash', { sagemaker_program: '"crash.py"', lr: '42' });
    assert.equal(crashed.result.status, 1);
    assert.match(
      crashed.failure(),
      /^ExecuteUserScriptError:\nExitCode 1\nErrorMessage "[\s\S]*ValueError: bad learning rate 42\n?"\nCommand ".*crash\.py --lr 42"$/,
    );
    assert.match(crashed.result.stderr, /ValueError: bad learning rate 42/);
    const shell = run('shell', { sagemaker_program: '"exit3.sh"', depth: '2' });
    assert.equal(shell.result.status, 3);
    assert.match(shell.result.stdout, /shell args: --depth 2/);
    assert.match(shell.failure(), /^ExecuteUserScriptError:\nExitCode 3/);
  });

  it('reports a missing program or a failing requirements install in the failure file', () => {
    const missing = run('missing', { epochs: '1' });
    assert.equal(missing.result.status, 1);
    assert.match(missing.failure(), /sagemaker_program is required/);
    const notFound = run('not-found', { sagemaker_program: '"nope.py"' });
    assert.match(notFound.failure(), /sagemaker_program nope\.py was not found/);
    const badRequirements = run('bad-requirements', { sagemaker_program: '"echo_args.py"' }, 'not a requirement !!\n');
    assert.equal(badRequirements.result.status, 1);
    assert.match(badRequirements.failure(), /^InstallRequirementsError:\nExitCode 1/);
  });
});
