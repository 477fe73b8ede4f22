import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedImage } from './image-catalog.js';
import { builtinImage } from './builtin-algorithms.js';
import { launchFor, launchPath, processCommand } from './launch.js';

describe('launchFor', () => {
  it('runs a user image as docker run <image> train|serve would, from its directory', () => {
    const image: ResolvedImage = {
      kind: 'user',
      repository: 'algo',
      directory: '/images/algo',
      train: ['/images/algo/train'],
      serve: ['/images/algo/run', 'serve'],
    };
    assert.deepEqual(launchFor(image, 'train', { optMl: '/opt/ml' }), {
      command: ['/images/algo/train'],
      cwd: '/images/algo',
      env: { SAGEMAKER_BASE_DIR: '/opt/ml' },
    });
    assert.deepEqual(launchFor(image, 'serve', { optMl: '/jobs/j/algo-1' }).command, ['/images/algo/run', 'serve']);
  });

  const scriptMode: ResolvedImage = {
    kind: 'script-mode',
    framework: 'sklearn',
    command: ['python3', '/r/script_mode/train.py'],
    runner: '/r/script_mode/train.py',
    requirements: '/r/requirements/sklearn.txt',
  };
  const python = { python: '/data/runtimes/abc/bin/python', env: { VIRTUAL_ENV: '/data/runtimes/abc' }, binDir: '/data/runtimes/abc/bin' };

  it('runs the script-mode runner with the venv interpreter', () => {
    const image = scriptMode;
    assert.deepEqual(launchFor(image, 'train', { python, optMl: '/jobs/j/algo-1' }), {
      command: ['/data/runtimes/abc/bin/python', '/r/script_mode/train.py'],
      env: { VIRTUAL_ENV: '/data/runtimes/abc', SAGEMAKER_BASE_DIR: '/jobs/j/algo-1', PYTHONUNBUFFERED: '1' },
      pathPrefix: '/data/runtimes/abc/bin',
    });
    assert.throws(() => launchFor(image, 'train', { optMl: '/opt/ml' }), /needs the Python environment/);
  });

  it('serves a framework image with the inference toolkit under the same venv, the runtime algorithms on PYTHONPATH', () => {
    const image: ResolvedImage = { ...scriptMode, toolkitPythonPath: '/r/algorithms' };
    assert.deepEqual(launchFor(image, 'serve', { python, optMl: '/endpoints/e/i-1' }), {
      command: ['/data/runtimes/abc/bin/python', '-m', 'salvia_algorithms.inference_toolkit', 'serve'],
      cwd: '/endpoints/e/i-1',
      env: {
        VIRTUAL_ENV: '/data/runtimes/abc',
        PYTHONPATH: '/r/algorithms',
        SALVIA_FRAMEWORK: 'sklearn',
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
        SAGEMAKER_BASE_DIR: '/endpoints/e/i-1',
      },
      pathPrefix: '/data/runtimes/abc/bin',
    });
    const { toolkitPythonPath: _, ...withoutPath } = image;
    assert.equal(launchFor(withoutPath, 'serve', { python, optMl: '/opt/ml' }).env['PYTHONPATH'], '/r/algorithms');
    assert.throws(() => launchFor(image, 'serve', { optMl: '/opt/ml' }), /needs the Python environment/);
  });

  it('runs a built-in algorithm as <algorithm python> -m salvia_algorithms.<module> train|serve from /opt/ml', () => {
    const image = builtinImage('linear-learner', { python: '/usr/bin/python3', runtimeDir: '/r' });
    assert.deepEqual(launchFor(image, 'train', { optMl: '/jobs/j/algo-1' }), {
      command: ['/usr/bin/python3', '-m', 'salvia_algorithms.linear_learner', 'train'],
      cwd: '/jobs/j/algo-1',
      env: { PYTHONPATH: '/r/algorithms', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', SAGEMAKER_BASE_DIR: '/jobs/j/algo-1' },
    });
    assert.deepEqual(launchFor(builtinImage('kmeans', { python: '/opt/py/bin/python', runtimeDir: '/r' }), 'serve', { optMl: '/opt/ml' }).command, [
      '/opt/py/bin/python',
      '-m',
      'salvia_algorithms.kmeans',
      'serve',
    ]);
  });

  it('runs a processing job with Docker entrypoint semantics', () => {
    const user: ResolvedImage = { kind: 'user', repository: 'proc', directory: '/images/proc', entrypoint: '/images/proc/run.sh', train: [], serve: [] };
    assert.deepEqual(launchFor(user, 'process', { optMl: '/opt/ml', containerArguments: ['--in', 'x'] }), {
      command: ['/images/proc/run.sh', '--in', 'x'],
      cwd: '/images/proc',
      env: {},
    });
    assert.deepEqual(processCommand(user, { containerEntrypoint: ['bash', '-c'], containerArguments: ['echo hi'] }), ['bash', '-c', 'echo hi']);
    assert.deepEqual(processCommand({ ...user, entrypoint: undefined } as ResolvedImage, { containerArguments: ['/bin/true'] }), ['/bin/true']);
    assert.throws(() => processCommand({ kind: 'user', repository: 'bare', directory: '/d', train: [], serve: [] }, {}), /Image bare has no entrypoint/);
    const sklearn: ResolvedImage = { kind: 'script-mode', framework: 'sklearn', command: [], runner: '/r/train.py', requirements: '/r/sklearn.txt' };
    const python = { python: '/venv/bin/python', env: { VIRTUAL_ENV: '/venv' }, binDir: '/venv/bin' };
    assert.deepEqual(launchFor(sklearn, 'process', { python, optMl: '/opt/ml', containerEntrypoint: ['python3', '/opt/ml/processing/input/code/x.py'] }), {
      command: ['python3', '/opt/ml/processing/input/code/x.py'],
      env: { VIRTUAL_ENV: '/venv', PYTHONUNBUFFERED: '1' },
      pathPrefix: '/venv/bin',
    });
    assert.throws(() => processCommand(sklearn, { containerArguments: ['--x'] }), /sklearn framework image has no entrypoint of its own/);
    assert.throws(() => processCommand(builtinImage('kmeans', { python: '/p', runtimeDir: '/r' }), {}), /cannot run processing jobs/);
  });

  it('launchPath puts a pathPrefix before the inherited PATH, which defaults to the usual directories', () => {
    assert.equal(launchPath({ command: [], env: {}, pathPrefix: '/venv/bin' }, { PATH: '/a:/b' }), '/venv/bin:/a:/b');
    assert.equal(launchPath({ command: [], env: {} }, { PATH: '/a:/b' }), '/a:/b');
    assert.equal(launchPath({ command: [], env: {} }, {}), '/usr/local/bin:/usr/bin:/bin');
  });
});
