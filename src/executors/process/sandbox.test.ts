import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bubblewrapArgv, hostsFileText } from './sandbox.js';

describe('bubblewrap sandbox', () => {
  it('mounts the instance dir at /opt/ml over a tmpfs /opt that keeps the host entries, sets the hostname and hosts file', () => {
    const argv = bubblewrapArgv(['/img/train'], { host: 'algo-2', optMlDir: '/d/algo-2', hostsFile: '/d/hosts', networkIsolation: false, cwd: '/img' }, [
      'conda',
      'ml',
    ]);
    assert.deepEqual(argv, [
      'bwrap',
      '--die-with-parent',
      '--bind',
      '/',
      '/',
      '--tmpfs',
      '/opt',
      '--bind',
      '/opt/conda',
      '/opt/conda',
      '--bind',
      '/d/algo-2',
      '/opt/ml',
      '--ro-bind',
      '/d/hosts',
      '/etc/hosts',
      '--unshare-uts',
      '--hostname',
      'algo-2',
      '--chdir',
      '/img',
      '--',
      '/img/train',
    ]);
    assert.ok(bubblewrapArgv(['t'], { host: 'algo-1', optMlDir: '/d', hostsFile: '/h', networkIsolation: true }, []).includes('--unshare-net'));
  });

  it('binds file-system channels below /opt/ml after it, read-only with --ro-bind', () => {
    const argv = bubblewrapArgv(
      ['t'],
      {
        host: 'algo-1',
        optMlDir: '/d',
        hostsFile: '/h',
        networkIsolation: false,
        binds: [
          { hostPath: '/efs/lists', containerPath: '/opt/ml/input/data/lists', readOnly: true },
          { hostPath: '/efs/out', containerPath: '/opt/ml/input/data/scratch', readOnly: false },
        ],
      },
      [],
    );
    const after = argv.slice(argv.indexOf('/opt/ml') + 1, argv.indexOf('/etc/hosts') - 2);
    assert.deepEqual(after, ['--ro-bind', '/efs/lists', '/opt/ml/input/data/lists', '--bind', '/efs/out', '/opt/ml/input/data/scratch']);
  });

  it('maps every host to its own loopback address', () => {
    assert.equal(hostsFileText(2), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.2\talgo-1\n127.0.0.3\talgo-2\n');
  });
});
