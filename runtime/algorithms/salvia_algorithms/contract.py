"""The training container contract as an algorithm sees it: /opt/ml paths (rebased by
SAGEMAKER_BASE_DIR when the platform runs without a sandbox), the config files, channels, and
how a job ends (``/opt/ml/output/failure`` + exit code)."""

import json
import os
import sys
import traceback
from dataclasses import dataclass, field


class ClientError(Exception):
    """Bad input from the user (hyperparameters, data, content type). The job fails with
    ``ClientError: <message>`` as SageMaker's built-in algorithms do."""


class AlgorithmError(Exception):
    """Anything else that stops training (a bug, a missing library)."""


def base_dir():
    """``/opt/ml``, or ``$SAGEMAKER_BASE_DIR`` when the platform rebased it."""
    return os.environ.get('SAGEMAKER_BASE_DIR', '/opt/ml')


def path(*parts):
    """A path under the base dir: ``path('model')`` → ``/opt/ml/model``."""
    return os.path.join(base_dir(), *parts)


@dataclass
class Channel:
    """One input channel as inputdataconfig.json describes it."""

    name: str
    directory: str
    content_type: str | None = None
    input_mode: str = 'File'
    distribution: str = 'FullyReplicated'
    record_wrapper: str = 'None'

    def files(self):
        """Every regular file under the channel directory, recursively, in sorted order, skipping
        hidden files (names starting with '.') as SageMaker's containers do."""
        found = []
        for root, dirs, names in os.walk(self.directory):
            dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
            found.extend(os.path.join(root, n) for n in sorted(names) if not n.startswith('.'))
        return found


@dataclass
class TrainingEnv:
    """What a training program reads at start."""

    hyperparameters: dict = field(default_factory=dict)
    channels: dict = field(default_factory=dict)
    current_host: str = 'algo-1'
    hosts: list = field(default_factory=lambda: ['algo-1'])
    model_dir: str = ''
    output_data_dir: str = ''
    checkpoint_dir: str | None = None

    @property
    def is_master(self):
        return self.current_host == sorted(self.hosts)[0]


def _read_json(name, default):
    file = path('input', 'config', name)
    if not os.path.exists(file):
        return default
    with open(file, encoding='utf-8') as f:
        return json.load(f)


def training_env():
    """Reads hyperparameters.json, inputdataconfig.json, resourceconfig.json and
    checkpointconfig.json. Hyperparameter values stay strings, as the API stores them."""
    config = _read_json('inputdataconfig.json', {})
    channels = {
        name: Channel(
            name=name,
            directory=path('input', 'data', name),
            content_type=spec.get('ContentType'),
            input_mode=spec.get('TrainingInputMode', 'File'),
            distribution=spec.get('S3DistributionType', 'FullyReplicated'),
            record_wrapper=spec.get('RecordWrapperType', 'None'),
        )
        for name, spec in config.items()
    }
    resources = _read_json('resourceconfig.json', {})
    checkpoint = _read_json('checkpointconfig.json', None)
    return TrainingEnv(
        hyperparameters={k: str(v) for k, v in _read_json('hyperparameters.json', {}).items()},
        channels=channels,
        current_host=resources.get('current_host', 'algo-1'),
        hosts=resources.get('hosts', ['algo-1']),
        model_dir=path('model'),
        output_data_dir=path('output', 'data'),
        checkpoint_dir=(checkpoint.get('LocalPath') or path('checkpoints')) if checkpoint is not None else None,
    )


def write_failure(message):
    """Writes ``/opt/ml/output/failure`` (the platform turns it into FailureReason)."""
    directory = path('output')
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, 'failure'), 'w', encoding='utf-8') as f:
        f.write(message)


def run_training(train):
    """Runs ``train(env)`` and ends the process as the contract says: exit 0 on success; on
    ClientError or AlgorithmError the failure file gets ``ClientError: …`` / ``AlgorithmError: …``
    and the process exits 1; any other exception is an AlgorithmError with its traceback logged."""
    try:
        train(training_env())
    except ClientError as error:
        print(f'ClientError: {error}', file=sys.stderr, flush=True)
        write_failure(f'ClientError: {error}')
        sys.exit(1)
    except AlgorithmError as error:
        print(f'AlgorithmError: {error}', file=sys.stderr, flush=True)
        write_failure(f'AlgorithmError: {error}')
        sys.exit(1)
    except MemoryError:
        write_failure('AlgorithmError: out of memory')
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - the contract's catch-all
        traceback.print_exc()
        write_failure(f'AlgorithmError: {type(error).__name__}: {error}')
        sys.exit(1)


def require_module(module, debian_package):
    """Imports ``module`` or raises AlgorithmError naming the package that provides it."""
    try:
        return __import__(module)
    except ImportError as error:
        raise AlgorithmError(
            f'{module} is not importable by {sys.executable} ({error}); install it, e.g. apt-get install {debian_package}, '
            'or point SALVIA_ALGORITHM_PYTHON at an interpreter that has it'
        ) from error


def main(train, serve):
    """``python3 -m salvia_algorithms.<algorithm> train|serve``: dispatches on argv[1]."""
    command = sys.argv[1] if len(sys.argv) > 1 else ''
    if command == 'train':
        run_training(train)
    elif command == 'serve':
        serve()
    else:
        print(f'usage: {sys.argv[0]} train|serve', file=sys.stderr)
        sys.exit(2)
