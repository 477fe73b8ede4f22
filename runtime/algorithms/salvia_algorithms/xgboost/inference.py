"""``serve``: the XGBoost container's inference behaviour as a handler of the shared model server.

Requests: text/csv (no label; the default when Content-Type is absent), text/libsvm /
text/x-libsvm (a leading label is ignored), application/json and application/jsonlines
(``{"instances": [...]}``, ``{"features": [...]}``, lists of rows), application/x-recordio-protobuf.
Responses (Accept, default text/csv or SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT): text/csv — the
predictions comma-joined on one line as the container does, or one per line (plus a final newline)
when SAGEMAKER_BATCH is set; softprob rows one per line, values comma-separated; application/json
``{"predictions": [{"score": …}]}``; application/jsonlines one ``{"score": …}`` per line;
application/x-recordio-protobuf one Record per row with label ``score``. SAGEMAKER_INFERENCE_OUTPUT
(e.g. ``predicted_label,probabilities``) selects keys instead of ``score``.
Errors: empty body 204, undecodable body or unknown Content-Type 415, feature count mismatch or a
failed prediction 400 ``Unable to evaluate payload provided: …``, unknown Accept 406.

Throughput (batch transform): ``serve`` pre-forks SAGEMAKER_MODEL_SERVER_WORKERS worker processes
(default: one per CPU the process may use — its affinity mask —, as the container's gunicorn does; serving/workers.py), each predicting with
``cpus / workers`` xgboost threads (at least 1) — CSV parsing and response encoding hold the GIL, so
processes, not threads, use every core; GET /execution-parameters answers
``{"MaxConcurrentTransforms": <workers>, "BatchStrategy": "MULTI_RECORD", "MaxPayloadInMB": 6}``
(MaxPayloadInMB from MAX_CONTENT_LENGTH in bytes when set, at most 20, as the container does)."""

import json
import os
import pickle

import numpy as np

from ..serving import HttpError, available_cpus, media_type, negotiate
from .requests import CSV, decode
from .responses import ACCEPTS, encode


class Model:
    """A loaded Booster with what inference needs to know about it."""

    def __init__(self, booster, objective, num_class):
        self.booster = booster
        self.objective = objective
        self.num_class = num_class
        self.num_features = booster.num_features()
        best = booster.attr('best_iteration')
        self.iteration_range = (0, int(best) + 1) if best is not None else (0, 0)


def _find_model_file(model_dir):
    preferred = os.path.join(model_dir, 'xgboost-model')
    if os.path.isfile(preferred):
        return preferred
    files = [os.path.join(root, n) for root, _, names in os.walk(model_dir) for n in names if not n.startswith('.')]
    if len(files) == 1:
        return files[0]
    raise FileNotFoundError(f'no xgboost-model file in {model_dir} (found {len(files)} files)')


def _load_booster(xgboost, file):
    try:
        return xgboost.Booster(model_file=file)
    except xgboost.core.XGBoostError as first:
        # models of containers before 1.3-1 are pickled Boosters
        try:
            with open(file, 'rb') as f:
                booster = pickle.load(f)  # noqa: S301 - what the SageMaker container itself does for old artifacts
        except Exception:  # noqa: BLE001
            raise first from None
        if not isinstance(booster, xgboost.Booster):
            raise first from None
        return booster


def _objective(booster):
    config = json.loads(booster.save_config())
    learner = config.get('learner', {})
    objective = learner.get('objective', {}).get('name', 'reg:squarederror')
    num_class = int(learner.get('learner_model_param', {}).get('num_class', '0') or 0)
    return objective, num_class

def max_payload_in_mb():
    """The container's MaxPayloadInMB: MAX_CONTENT_LENGTH (bytes, default 6 MiB) capped at 20 MiB."""
    try:
        length = int(os.environ.get('MAX_CONTENT_LENGTH') or 6 * 1024 * 1024)
    except ValueError:
        length = 6 * 1024 * 1024
    return max(1, min(length, 20 * 1024 * 1024) // (1024 * 1024))


class XGBoostHandler:
    """The serving handler: ``load`` reads ``xgboost-model`` (binary, JSON/UBJSON or an old
    pickle); ``invoke`` decodes, predicts (up to the best iteration when early stopping saved
    one) and encodes. ``workers`` is the number of worker processes serving (MaxConcurrentTransforms
    in /execution-parameters); ``threads`` xgboost's nthread per process (None: xgboost's default)."""

    def __init__(self, workers=None, threads=None):
        self.workers = workers or available_cpus()
        self.threads = threads

    def load(self, model_dir):
        import xgboost  # noqa: PLC0415

        booster = _load_booster(xgboost, _find_model_file(model_dir))
        if self.threads:
            booster.set_param('nthread', self.threads)
        objective, num_class = _objective(booster)
        return Model(booster, objective, num_class)

    def execution_parameters(self):
        return {'MaxConcurrentTransforms': self.workers, 'BatchStrategy': 'MULTI_RECORD', 'MaxPayloadInMB': max_payload_in_mb()}

    def invoke(self, model, body, content_type, accept):
        import xgboost  # noqa: PLC0415

        answer = negotiate(accept, ACCEPTS, CSV)
        matrix = decode(body, content_type, model.num_features)
        columns = matrix.shape[1]
        if columns != model.num_features and (isinstance(matrix, np.ndarray) or columns > model.num_features):
            raise HttpError(
                400,
                f'Unable to evaluate payload provided: Feature size of {media_type(content_type)[0] or CSV} inference data '
                f'{columns} is not consistent with feature size of trained model {model.num_features}.',
            )
        if not isinstance(matrix, np.ndarray) and columns < model.num_features:
            matrix = type(matrix)((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], model.num_features))
        try:
            # in-place prediction: no DMatrix copy of the batch, and safe from several threads at once
            preds = model.booster.inplace_predict(matrix, iteration_range=model.iteration_range, missing=float('nan'), validate_features=False)
        except xgboost.core.XGBoostError as error:
            raise HttpError(400, f'Unable to evaluate payload provided: {str(error).strip().splitlines()[0]}') from None
        return encode(model, preds, answer)
