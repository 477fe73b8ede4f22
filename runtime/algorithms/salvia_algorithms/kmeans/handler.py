"""Inference for K-Means models: the serving/ server's handler.

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

from ..contract import ClientError
from ..formats import CSV, JSON, JSONLINES, RECORDIO_PROTOBUF, UnsupportedContentType, check_feature_dim, decode_request, encode_response
from ..serving import HttpError, negotiate
from . import model as model_io

ACCEPTS = (JSON, JSONLINES, RECORDIO_PROTOBUF, CSV)
CONTENT_TYPES = (CSV, JSON, JSONLINES, RECORDIO_PROTOBUF)


class KMeansHandler:
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
            raise HttpError(415, f'Content type {content_type or "(none)"} is not supported by K-Means; use one of: {", ".join(CONTENT_TYPES)}') from None
        except ClientError as error:
            raise HttpError(400, f'Unable to evaluate payload provided: {error}') from None
        if features.shape[0] == 0:
            raise HttpError(204)
        try:
            check_feature_dim(features, model.feature_dim)
        except ClientError as error:
            raise HttpError(400, f'Unable to evaluate payload provided: {error}') from None
        values = features if isinstance(features, np.ndarray) else features.data
        if not np.isfinite(values).all():
            raise HttpError(400, 'Unable to evaluate payload provided: the features contain NaN or infinite values')
        return encode_response(predictions(model, features), media)


def predictions(model, features):
    """Output columns (name → float32 array) in SageMaker's key order."""
    closest, distance = model.predict(features)
    return {'closest_cluster': closest.astype(np.float32), 'distance_to_cluster': distance}
