"""The invoke flow shared by the built-in algorithms whose requests are rows of features
(K-Means, Linear Learner): one base class, each algorithm supplies its name, the response types
it offers, how it loads a model and how it turns features into output columns.

Requests: text/csv (rows, no label), application/json, application/jsonlines,
application/x-recordio-protobuf (and text/libsvm, which ``decode_request`` also reads). Responses
by Accept among ``accepts`` (default application/json). Errors: empty body or no rows 204,
unknown Content-Type 415 naming the algorithm, unsupported Accept 406, unparsable payload /
wrong number of features / NaN or infinite values 400 ``Unable to evaluate payload provided: …``.

Imported as ``salvia_algorithms.serving.feature_handler`` (not re-exported by ``serving``, so the
model server itself does not load numpy).
"""

import numpy as np

from ..contract import ClientError
from ..formats import CSV, JSON, JSONLINES, RECORDIO_PROTOBUF, UnsupportedContentType, check_feature_dim, decode_request, encode_response
from .errors import HttpError
from .media import negotiate

CONTENT_TYPES = (CSV, JSON, JSONLINES, RECORDIO_PROTOBUF)
"""The request types named in the 415 message."""


class FeatureMatrixHandler:
    """load/invoke for salvia_algorithms.serving. Subclasses set ``algorithm`` (the name in the
    415 message) and ``accepts`` (response media types, JSON first as the default), and define
    ``load(model_dir)`` and ``predictions(model, features)`` → columns (name → array) in
    SageMaker's key order; ``model.feature_dim`` is the width requests must have."""

    algorithm = ''
    accepts = (JSON,)

    def load(self, model_dir):
        raise NotImplementedError

    def predictions(self, model, features):
        raise NotImplementedError

    def invoke(self, model, body, content_type, accept):
        media = negotiate(accept, self.accepts, JSON)
        if not body:
            raise HttpError(204)
        try:
            features = decode_request(body, content_type)
        except UnsupportedContentType:
            raise HttpError(415, f'Content type {content_type or "(none)"} is not supported by {self.algorithm}; use one of: {", ".join(CONTENT_TYPES)}') from None
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
        return encode_response(self.predictions(model, features), media)
