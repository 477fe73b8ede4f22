"""``python3 -m salvia_algorithms.xgboost train|serve``."""

from .. import contract


def _train(env):
    from .training import train

    train(env)


def _serve():
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415

    # xgboost imports scikit-learn and pandas when they are installed — about half a second of the
    # model server's start (each transform job and endpoint pays it). Serving never hands xgboost a
    # DataFrame or an estimator, so they are kept out (an import of them now raises ImportError,
    # which xgboost treats as "not installed").
    for module in ('sklearn', 'pandas'):
        sys.modules.setdefault(module, None)

    from .. import serving
    from ..serving.workers import serve_workers
    from .inference import XGBoostHandler

    cpus = serving.available_cpus()
    multi_model = os.environ.get('SAGEMAKER_MULTI_MODEL', '').lower() == 'true'
    workers = serving.requested_workers(multi_model, default=cpus)
    handler = XGBoostHandler(workers=workers, threads=max(1, cpus // workers))
    if workers > 1:
        serve_workers(handler, workers)
    else:
        serving.serve(handler)


if __name__ == '__main__':
    contract.main(_train, _serve)
