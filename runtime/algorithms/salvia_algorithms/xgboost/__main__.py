"""``python3 -m salvia_algorithms.xgboost train|serve``."""

from .. import contract


def _train(env):
    from .training import train

    train(env)


def _serve():
    from .. import serving
    from .inference import XGBoostHandler

    serving.serve(XGBoostHandler())


if __name__ == '__main__':
    contract.main(_train, _serve)
