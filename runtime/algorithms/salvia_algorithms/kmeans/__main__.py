"""Entry point: ``python3 -m salvia_algorithms.kmeans train|serve``."""

from ..contract import main


def _train(env):
    from .train import run

    run(env)


def _serve():
    from ..serving import serve
    from .handler import KMeansHandler

    serve(KMeansHandler())


if __name__ == '__main__':
    main(_train, _serve)
