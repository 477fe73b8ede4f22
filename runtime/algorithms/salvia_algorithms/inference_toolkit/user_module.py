"""Finding and importing the user's inference script, as the toolkit does: SAGEMAKER_PROGRAM
(default ``inference.py``) in the code directory — ``<model dir>/code``, or SAGEMAKER_SUBMIT_DIRECTORY
in single-model mode — after pip-installing the directory's ``requirements.txt``."""

import hashlib
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile
import threading

from .. import contract
from .errors import ModelLoadError

HANDLER_NAMES = ('model_fn', 'input_fn', 'predict_fn', 'output_fn', 'transform_fn')

_install_lock = threading.Lock()
_installed = set()


def program():
    """SAGEMAKER_PROGRAM or ``inference.py``."""
    return os.environ.get('SAGEMAKER_PROGRAM') or 'inference.py'


def _rebase(location):
    """``/opt/ml/...`` → the same path under SAGEMAKER_BASE_DIR when the platform rebased /opt/ml."""
    base = contract.base_dir()
    if base != '/opt/ml' and (location == '/opt/ml' or location.startswith('/opt/ml/')):
        return base + location[len('/opt/ml'):]
    return location


def _extract(archive):
    target = tempfile.mkdtemp(prefix='salvia-code-')
    try:
        with tarfile.open(archive, 'r:*') as tar:
            if hasattr(tarfile, 'data_filter'):
                tar.extractall(target, filter='data')
            else:  # Python < 3.11.4: keep regular files and directories inside the target only
                root = os.path.realpath(target)
                safe = [m for m in tar.getmembers() if (m.isfile() or m.isdir())
                        and os.path.realpath(os.path.join(root, m.name)).startswith(root + os.sep)]
                tar.extractall(target, members=safe)
    except (OSError, tarfile.TarError) as error:
        raise ModelLoadError(f'SAGEMAKER_SUBMIT_DIRECTORY {archive} is not a readable tar.gz archive: {error}') from error
    return target


def code_dir(model_dir, multi_model=False):
    """Where the script lives: SAGEMAKER_SUBMIT_DIRECTORY (a local directory or .tar.gz, ``file://``
    allowed; single-model mode only — a multi-model server reads each model's own ``code/``), else
    ``<model_dir>/code``. An ``s3://`` location must have been staged by the platform into
    ``/opt/ml/model/code`` (ModelLoadError otherwise)."""
    submit = os.environ.get('SAGEMAKER_SUBMIT_DIRECTORY')
    if multi_model or not submit:
        return os.path.join(model_dir, 'code')
    if submit.startswith('s3://'):
        raise ModelLoadError(
            f'SAGEMAKER_SUBMIT_DIRECTORY {submit} is an S3 location: the platform must stage it into /opt/ml/model/code '
            '(and set SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code) before starting the model server'
        )
    local = _rebase(submit[len('file://'):] if submit.startswith('file://') else submit)
    if os.path.isdir(local):
        return local
    if os.path.isfile(local):
        return _extract(local)
    raise ModelLoadError(f'SAGEMAKER_SUBMIT_DIRECTORY {submit} does not exist')


def install_requirements(directory):
    """``pip install -r <directory>/requirements.txt`` into this interpreter, once per directory."""
    requirements = os.path.join(directory, 'requirements.txt')
    if not os.path.isfile(requirements):
        return
    with _install_lock:
        if requirements in _installed:
            return
        print(f'Installing dependencies from {requirements}', file=sys.stderr, flush=True)
        run = subprocess.run(
            [sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', '-r', requirements],
            cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
        )
        sys.stderr.write(run.stdout)
        sys.stderr.flush()
        if run.returncode != 0:
            tail = ' | '.join(run.stdout.strip().splitlines()[-5:])
            raise ModelLoadError(f'pip install -r {requirements} failed (exit code {run.returncode}): {tail}')
        _installed.add(requirements)


def load(directory, unique=False):
    """Imports ``<directory>/<SAGEMAKER_PROGRAM>`` with ``directory`` on sys.path (so the script's
    own modules import) and returns its handler functions by name (missing ones absent), or {}
    when there is no such script. ``unique`` gives the module a name of its own per directory (a
    multi-model server imports one script per model). Raises ModelLoadError when the script fails
    to import."""
    name = program()
    path = os.path.join(directory, name)
    if not os.path.isfile(path):
        return {}
    install_requirements(directory)
    stem = os.path.splitext(os.path.basename(name))[0]
    module_name = f'_salvia_model_{hashlib.sha1(directory.encode()).hexdigest()[:12]}_{stem}' if unique else stem
    if directory not in sys.path:
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as error:  # noqa: BLE001 - a SystemExit in a script is a load failure too
        sys.modules.pop(module_name, None)
        raise ModelLoadError(f'Failed to import {path}: {type(error).__name__}: {error}') from error
    functions = {key: getattr(module, key) for key in HANDLER_NAMES if callable(getattr(module, key, None))}
    if 'transform_fn' in functions and any(key in functions for key in ('input_fn', 'predict_fn', 'output_fn')):
        raise ModelLoadError(
            f'{path}: Cannot use transform_fn implementation in conjunction with input_fn, predict_fn, and/or output_fn implementation'
        )
    return functions
