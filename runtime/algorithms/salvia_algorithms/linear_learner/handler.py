"""Inference for Linear Learner models: the serving/ server's handler.

Requests: text/csv (rows, no label), application/json, application/jsonlines and
application/x-recordio-protobuf. Responses by Accept (default application/json, or
SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT): application/json ``{"predictions":[…]}``,
application/jsonlines (one object per line), application/x-recordio-protobuf (a ``label`` map
per record). Objects: binary ``{"score":0.4,"predicted_label":0}``, multiclass
``{"score":[…],"predicted_label":2}``, regressor ``{"score":0.4}``.
"""

import numpy as np

from ..contract import ClientError
from ..formats import JSON, JSONLINES, RECORDIO_PROTOBUF, UnsupportedContentType, check_feature_dim, decode_request, encode_response
from ..serving import HttpError, negotiate
from . import model as model_io

ACCEPTS = (JSON, JSONLINES, RECORDIO_PROTOBUF)
CONTENT_TYPES = ('text/csv', JSON, JSONLINES, RECORDIO_PROTOBUF)


class LinearLearnerHandler:
    """load/invoke for salvia_algorithms.serving."""

    def load(self, model_dir):
        return model_io.load(model_dir)

    def invoke(self, model, body, content_type, accept):
        media = negotiate(accept, ACCEPTS, JSON)
        if not body:
            raise HttpError(204)
        try:
            features = decode_request(body, content_type)
        except UnsupportedContentType:
            raise HttpError(415, f'Content type {content_type or "(none)"} is not supported by Linear Learner; use one of: {", ".join(CONTENT_TYPES)}') from None
        except ClientError as error:
            raise HttpError(400, f'Unable to evaluate payload provided: {error}') from None
        if features.shape[0] == 0:
            raise HttpError(204)
        try:
            check_feature_dim(features, model.feature_dim)
        except ClientError as error:
            raise HttpError(400, f'Unable to evaluate payload provided: {error}') from None
        values = features.data if hasattr(features, 'data') and not isinstance(features, np.ndarray) else features
        if not np.isfinite(values).all():
            raise HttpError(400, 'Unable to evaluate payload provided: the features contain NaN or infinite values')
        return encode_response(predictions(model, features), media)


def predictions(model, features):
    """The output columns (name → array) for ``features``, in SageMaker's key order."""
    scores, labels = model.predict(features)
    if model.predictor_type == 'regressor':
        return {'score': scores.astype(np.float32)}
    return {'score': scores.astype(np.float32), 'predicted_label': labels.astype(np.int64)}
