#!/usr/bin/env python3
"""Salvia's script-mode runner: runs a user's training script as SageMaker's framework containers do.

Behaves as the sagemaker-training-toolkit entry point (standard library only):
  1. reads <base>/input/config/hyperparameters.json (base = $SAGEMAKER_BASE_DIR or /opt/ml;
     $SM_INPUT_CONFIG_DIR and $SM_OUTPUT_DIR override those directories when set);
  2. installs <base>/code/requirements.txt with pip into the running interpreter, if present;
  3. runs `sagemaker_program` from <base>/code: a Python package (setup.py present) is pip-installed
     and run as `python -m <module>`; `.py` with this interpreter; `.sh` with sh; anything else
     directly. Every hyperparameter not starting with `sagemaker_` is passed as `--key value`
     (JSON-decoded, keys sorted, one-letter keys as `-k`), cwd is the code dir, PYTHONPATH includes it,
     and the environment (SM_* variables set by the platform) is passed through;
  4. on failure writes a toolkit-style message to <output>/failure and exits with the script's code.
"""
import collections
import json
import os
import subprocess
import sys
import threading
import traceback

STDERR_TAIL_LINES = 20


class ClientError(Exception):
    """A failure the user can act on (bad hyperparameters, a failing script or requirements)."""


class CalledProcessError(ClientError):
    """A child process failed; formatted as the toolkit formats its _CalledProcessError."""

    def __init__(self, cmd, return_code, output):
        super().__init__()
        self.cmd = cmd
        self.return_code = return_code
        self.output = output

    def __str__(self):
        return ('%s:\nExitCode %s\nErrorMessage "%s"\nCommand "%s"' % (
            type(self).__name__, self.return_code, self.output, self.cmd)).strip()


class ExecuteUserScriptError(CalledProcessError):
    """The user's program exited non-zero."""


class InstallRequirementsError(CalledProcessError):
    """pip could not install requirements.txt."""


class InstallModuleError(CalledProcessError):
    """pip could not install the user's package (setup.py)."""


def paths():
    base = os.environ.get('SAGEMAKER_BASE_DIR', '/opt/ml')
    config_dir = os.environ.get('SM_INPUT_CONFIG_DIR', os.path.join(base, 'input', 'config'))
    output_dir = os.environ.get('SM_OUTPUT_DIR', os.path.join(base, 'output'))
    return {'base': base, 'config': config_dir, 'output': output_dir, 'code': os.path.join(base, 'code')}


def read_hyperparameters(config_dir):
    with open(os.path.join(config_dir, 'hyperparameters.json')) as f:
        raw = json.load(f)
    decoded = {}
    for key, value in raw.items():
        try:
            decoded[key] = json.loads(value)
        except (ValueError, TypeError):
            decoded[key] = value
    return decoded


def _to_text(value):
    if value is None:
        return ''
    if isinstance(value, bytes):
        return value.decode('latin1')
    return str(value)


def to_cmd_args(mapping):
    """`{'epochs': 2, 'lr': 0.1}` -> `['--epochs', '2', '--lr', '0.1']`, as the toolkit's mapping.to_cmd_args."""
    args = []
    for key in sorted(mapping):
        name = _to_text(key)
        args.append(('--%s' % name if len(name) > 1 else '-%s' % name) if name else '')
        value = mapping[key]
        if hasattr(value, 'items'):
            args.append(','.join('%s=%s' % (k, v) for k, v in sorted(value.items())))
        else:
            args.append(_to_text(value))
    return args


def user_hyperparameters(hyperparameters):
    return {k: v for k, v in hyperparameters.items() if not k.startswith('sagemaker_')}


def run(cmd, cwd, env, error_class):
    """Runs cmd with stdout passed through and stderr teed; raises error_class on a non-zero exit."""
    print('Invoking: %s' % ' '.join(cmd), flush=True)
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stderr=subprocess.PIPE)
    tail = collections.deque(maxlen=STDERR_TAIL_LINES)

    def pump():
        for line in iter(process.stderr.readline, b''):
            sys.stderr.buffer.write(line)
            sys.stderr.buffer.flush()
            tail.append(line.decode('utf-8', 'replace').rstrip('\n'))

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    code = process.wait()
    thread.join()
    if code != 0:
        error = error_class(' '.join(cmd), code, '\n'.join(tail))
        error.exit_code = code if code > 0 else 128 - code
        raise error


def program_command(program, code_dir, args, env):
    if os.path.exists(os.path.join(code_dir, 'setup.py')):
        run([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check', '.'], code_dir, env, InstallModuleError)
        module = program[:-3] if program.endswith('.py') else program
        return [sys.executable, '-m', module.replace(os.sep, '.')] + args
    path = os.path.join(code_dir, program)
    if not os.path.isfile(path):
        raise ClientError('sagemaker_program %s was not found in %s' % (program, code_dir))
    if program.endswith('.py'):
        return [sys.executable, program] + args
    if program.endswith('.sh') or not os.access(path, os.X_OK):
        return ['/bin/sh', program] + args
    return [os.path.join('.', program)] + args


def train():
    where = paths()
    hyperparameters = read_hyperparameters(where['config'])
    program = hyperparameters.get('sagemaker_program')
    if not isinstance(program, str) or program == '':
        raise ClientError('hyperparameter sagemaker_program is required in script mode: the file in the code directory to run')
    code_dir = where['code']
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([code_dir] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    env.setdefault('PYTHONUNBUFFERED', '1')
    requirements = os.path.join(code_dir, 'requirements.txt')
    if os.path.isfile(requirements):
        print('Installing dependencies from requirements.txt', flush=True)
        run([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-r', 'requirements.txt'], code_dir, env, InstallRequirementsError)
    args = to_cmd_args(user_hyperparameters(hyperparameters))
    run(program_command(program, code_dir, args, env), code_dir, env, ExecuteUserScriptError)


def write_failure(output_dir, message):
    try:
        os.makedirs(output_dir, exist_ok=True)
        with open(os.path.join(output_dir, 'failure'), 'w') as f:
            f.write(message)
    except OSError as error:
        print('could not write the failure file: %s' % error, file=sys.stderr)


def main():
    try:
        train()
    except ClientError as error:
        message = str(error)
        write_failure(paths()['output'], message)
        print('Reporting training FAILURE', file=sys.stderr)
        print(message, file=sys.stderr, flush=True)
        return getattr(error, 'exit_code', 1)
    except Exception as error:  # noqa: BLE001 - the toolkit reports anything else as a framework error
        message = 'Framework Error: \n%s\n%s' % (traceback.format_exc(), error)
        write_failure(paths()['output'], message)
        print(message, file=sys.stderr, flush=True)
        return 1
    print('Reporting training SUCCESS', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
