"""SageMaker's Linear Learner built-in algorithm on numpy: ``python3 -m
salvia_algorithms.linear_learner train|serve``. See model.py for the artifact format."""
