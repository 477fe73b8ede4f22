"""SageMaker's K-Means (web-scale mini-batch k-means, then local Lloyd down to k centers).

``train``: hyperparameters in spec.py (required ``k``, ``feature_dim``); channels ``train``
(required; FullyReplicated or ShardedByS3Key) and ``test`` (optional); content types
``application/x-recordio-protobuf`` (default) and ``text/csv`` (rows without a label; an explicit
``label_size=1`` drops the first column). Logs ``#quality_metric: host=algo-1, train msd
<loss>=…`` and, with a test channel, ``#test_score``/``#quality_metric`` lines for each of
``eval_metrics`` (metrics.json: ``test:msd``, ``test:ssd``). Model: model.py.

``serve``: handler.KMeansHandler on salvia_algorithms.serving — text/csv, application/json,
application/jsonlines, application/x-recordio-protobuf in; application/json (default),
application/jsonlines, application/x-recordio-protobuf, text/csv out, each prediction
``closest_cluster`` and ``distance_to_cluster`` (Euclidean).
"""
