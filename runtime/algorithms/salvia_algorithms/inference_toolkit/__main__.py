"""``python -m salvia_algorithms.inference_toolkit serve``: the framework model server.

The framework comes from SALVIA_FRAMEWORK (``sklearn``, ``xgboost``, ``pytorch``, …; the platform
sets it from the image); everything else from the SageMaker serving variables (see the package
docstring). SAGEMAKER_MODEL_SERVER_WORKERS > 1 (single-model mode) pre-forks that many worker
processes (serving/workers.py); otherwise one process answers on threads."""

import os
import sys

from .. import serving
from .handler import ToolkitHandler
from ..serving import requested_workers
from ..serving.workers import serve_workers


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else 'serve'
    if command != 'serve':
        print(f'usage: {sys.argv[0]} serve', file=sys.stderr)
        sys.exit(2)
    handler = ToolkitHandler(os.environ.get('SALVIA_FRAMEWORK'))
    workers = requested_workers(handler.multi_model)
    if workers > 1:
        serve_workers(handler, workers)
    else:
        serving.serve(handler)


if __name__ == '__main__':
    main()
