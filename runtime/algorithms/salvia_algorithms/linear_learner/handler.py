"""Inference for Linear Learner models: the serving/ server's handler (the shared invoke flow of
serving/feature_handler.py).

Requests: text/csv (rows, no label), application/json, application/jsonlines and
application/x-recordio-protobuf. Responses by Accept (default application/json, or
SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT): application/json ``{"predictions":[…]}``,
application/jsonlines (one object per line), application/x-recordio-protobuf (a ``label`` map
per record). Objects: binary ``{"score":0.4,"predicted_label":0}``, multiclass
``{"score":[…],"predicted_label":2}``, regressor ``{"score":0.4}``.
"""

import numpy as np

from ..formats import JSON, JSONLINES, RECORDIO_PROTOBUF
from ..serving.feature_handler import FeatureMatrixHandler
from . import model as model_io


class LinearLearnerHandler(FeatureMatrixHandler):
    """load/invoke for salvia_algorithms.serving."""

    algorithm = 'Linear Learner'
    accepts = (JSON, JSONLINES, RECORDIO_PROTOBUF)

    def load(self, model_dir):
        return model_io.load(model_dir)

    def predictions(self, model, features):
        return predictions(model, features)


def predictions(model, features):
    """The output columns (name → array) for ``features``, in SageMaker's key order."""
    scores, labels = model.predict(features)
    if model.predictor_type == 'regressor':
        return {'score': scores.astype(np.float32)}
    return {'score': scores.astype(np.float32), 'predicted_label': labels.astype(np.int64)}
