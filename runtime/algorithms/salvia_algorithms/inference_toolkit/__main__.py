"""``python -m salvia_algorithms.inference_toolkit serve``: the framework model server.

The framework comes from SALVIA_FRAMEWORK (``sklearn``, ``xgboost``, ``pytorch``, …; the platform
sets it from the image); everything else from the SageMaker serving variables (see the package
docstring)."""

import os
import sys

from .. import serving
from .handler import ToolkitHandler


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else 'serve'
    if command != 'serve':
        print(f'usage: {sys.argv[0]} serve', file=sys.stderr)
        sys.exit(2)
    serving.serve(ToolkitHandler(os.environ.get('SALVIA_FRAMEWORK')))


if __name__ == '__main__':
    main()
