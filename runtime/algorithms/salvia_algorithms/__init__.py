"""Salvia's built-in algorithms (XGBoost, Linear Learner, K-Means): programs that follow
SageMaker's container contract (``train`` and ``serve``), run as ``python3 -m
salvia_algorithms.<algorithm> train|serve`` with this directory on PYTHONPATH."""
