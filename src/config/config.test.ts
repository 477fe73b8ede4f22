import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, configUsage, loadConfig } from './config.js';

test('defaults when nothing is given', () => {
  const config = loadConfig([], {});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 7070);
  assert.equal(config.database, 'sqlite');
  assert.equal(config.auth, false);
  assert.deepEqual(config.accessKeys, [{ accessKeyId: 'salvia', secretAccessKey: 'salvia-secret-key' }]);
  assert.ok(Object.isFrozen(config));
});

test('flags override environment variables, which override defaults', () => {
  const config = loadConfig(['--port', '9000', '--data-dir=/tmp/x'], { SALVIA_PORT: '8000', SALVIA_HOST: '0.0.0.0', SALVIA_REGION: 'eu-west-1' });
  assert.equal(config.port, 9000);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.dataDir, '/tmp/x');
  assert.equal(config.region, 'eu-west-1');
});

test('--auth alone turns verification on; keys parse as ID:SECRET lists', () => {
  const config = loadConfig(['--auth', '--access-keys', 'AKIA1:s1,AKIA2:s:2'], {});
  assert.equal(config.auth, true);
  assert.deepEqual(config.accessKeys, [
    { accessKeyId: 'AKIA1', secretAccessKey: 's1' },
    { accessKeyId: 'AKIA2', secretAccessKey: 's:2' },
  ]);
});

test('bad values and unknown flags name the setting', () => {
  assert.throws(
    () => loadConfig(['--port', 'abc'], {}),
    (e: unknown) => e instanceof ConfigError && /--port/.test(e.message),
  );
  assert.throws(
    () => loadConfig([], { SALVIA_ACCOUNT_ID: '12' }),
    (e: unknown) => e instanceof ConfigError && /SALVIA_ACCOUNT_ID/.test(e.message),
  );
  assert.throws(() => loadConfig(['--nope'], {}), /unknown option --nope/);
  assert.throws(() => loadConfig(['--access-keys', 'nocolon'], {}), /ACCESS_KEY_ID:SECRET/);
  assert.throws(() => loadConfig(['--port'], {}), /needs a value/);
});

test('jobs inherit only PATH, locale and pip settings from the server environment', () => {
  const config = loadConfig([], { PATH: '/usr/bin', LANG: 'C.UTF-8', PIP_INDEX_URL: 'file:///mirror', AWS_SECRET_ACCESS_KEY: 'secret', SALVIA_PORT: '1' });
  assert.deepEqual(config.jobBaseEnv, { PATH: '/usr/bin', LANG: 'C.UTF-8', PIP_INDEX_URL: 'file:///mirror' });
});

test('the built-in algorithms run with /usr/bin/python3 unless --algorithm-python / SALVIA_ALGORITHM_PYTHON says otherwise', () => {
  assert.equal(loadConfig([], {}).algorithmPython, '/usr/bin/python3');
  assert.equal(loadConfig([], { SALVIA_ALGORITHM_PYTHON: '/opt/py/bin/python3' }).algorithmPython, '/opt/py/bin/python3');
  assert.equal(loadConfig(['--algorithm-python', '/x/python'], { SALVIA_ALGORITHM_PYTHON: '/opt/py/bin/python3' }).algorithmPython, '/x/python');
});

test('the usage text lists every flag that loadConfig accepts, with its variable and default', () => {
  const usage = configUsage();
  const flags = [...usage.matchAll(/^ {2}(--[a-z0-9-]+) +(SALVIA_[A-Z0-9_]+) +(.+)$/gm)];
  assert.ok(flags.length >= 20);
  // Each flag, given the default it shows, is one loadConfig accepts.
  for (const [, flag, , shown] of flags) if (shown !== '(unset)') assert.doesNotThrow(() => loadConfig([flag ?? '', shown ?? ''], {}), flag);
  for (const [, flag, variable] of flags) assert.equal(variable, `SALVIA_${(flag ?? '').slice(2).replace(/-/g, '_').toUpperCase()}`);
  assert.match(usage, /^ {2}--port +SALVIA_PORT +7070$/m);
  assert.match(usage, /^ {2}--data-dir +SALVIA_DATA_DIR +\/.+$/m);
  assert.match(usage, /^ {2}--s3-endpoint +SALVIA_S3_ENDPOINT +\(unset\)$/m);
});
