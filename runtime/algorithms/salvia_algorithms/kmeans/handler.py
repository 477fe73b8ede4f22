"""Inference for K-Means models: the serving/ server's handler (the shared invoke flow of
serving/feature_handler.py).

Requests: text/csv (rows, no label), application/json, application/jsonlines,
application/x-recordio-protobuf. Responses by Accept (default application/json, or
SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT): application/json ``{"predictions":[{"closest_cluster":
1.0, "distance_to_cluster": 3.0}]}`` (values are float32, as SageMaker's documentation shows),
application/jsonlines (one object per line), application/x-recordio-protobuf (``label`` map with
``closest_cluster`` and ``distance_to_cluster`` per record), text/csv (``1.0,3.0`` per line).
Errors: empty body 204, unknown Content-Type 415, bad Accept 406, unparsable payload / wrong
number of features / NaN 400 ``Unable to evaluate payload provided: …``.
"""

import numpy as np

from ..formats import CSV, JSON, JSONLINES, RECORDIO_PROTOBUF
from ..serving.feature_handler import FeatureMatrixHandler
from . import model as model_io


class KMeansHandler(FeatureMatrixHandler):
    """load/invoke for salvia_algorithms.serving."""

    algorithm = 'K-Means'
    accepts = (JSON, JSONLINES, RECORDIO_PROTOBUF, CSV)

    def load(self, model_dir):
        return model_io.load(model_dir)

    def predictions(self, model, features):
        return predictions(model, features)


def predictions(model, features):
    """Output columns (name → float32 array) in SageMaker's key order."""
    closest, distance = model.predict(features)
    return {'closest_cluster': closest.astype(np.float32), 'distance_to_cluster': distance}
