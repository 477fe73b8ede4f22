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
failed prediction 400 ``Unable to evaluate payload provided: …``, unknown Accept 406."""

import json
import math
import os
import pickle
import threading

import numpy as np

from ..serving import HttpError, media_type, negotiate

CSV, LIBSVM, JSON, JSONLINES, RECORDIO = 'text/csv', 'text/libsvm', 'application/json', 'application/jsonlines', 'application/x-recordio-protobuf'
_REQUEST_TYPES = {
    'text/csv': CSV, 'csv': CSV,
    'text/libsvm': LIBSVM, 'text/x-libsvm': LIBSVM, 'libsvm': LIBSVM,
    'application/json': JSON, 'json': JSON,
    'application/jsonlines': JSONLINES, 'application/x-jsonlines': JSONLINES, 'application/jsonl': JSONLINES,
    'application/x-recordio-protobuf': RECORDIO, 'recordio-protobuf': RECORDIO,
}
ACCEPTS = [CSV, JSON, JSONLINES, RECORDIO]
SELECTABLE = {'predicted_label', 'labels', 'probability', 'probabilities', 'raw_score', 'raw_scores', 'predicted_score'}


class Model:
    """A loaded Booster with what inference needs to know about it."""

    def __init__(self, booster, objective, num_class):
        self.booster = booster
        self.objective = objective
        self.num_class = num_class
        self.num_features = booster.num_features()
        self.lock = threading.Lock()
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


def _parse_csv(body):
    text = body.decode('utf-8')
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise HttpError(204)
    first = lines[0]
    delimiter = next((d for d in (',', '\t', ';', '|') if d in first), ',')
    try:
        # the common case, fast; anything unusual (empty fields, ragged rows, text) is diagnosed below
        return np.loadtxt(lines, delimiter=delimiter, dtype=np.float32, ndmin=2)
    except ValueError:
        pass
    rows = []
    width = None
    for number, line in enumerate(lines, start=1):
        fields = line.strip().split(delimiter)
        if width is None:
            width = len(fields)
        elif len(fields) != width:
            raise HttpError(400, f'Unable to evaluate payload provided: CSV row {number} has {len(fields)} columns, but row 1 has {width}')
        try:
            rows.append([float(v) if v.strip() != '' else math.nan for v in fields])
        except ValueError as error:
            raise HttpError(415, f'Loading csv data failed with Exception, please ensure data is in csv format: {error}') from None
    return np.asarray(rows, dtype=np.float32)


def _parse_libsvm(body, num_features):
    import scipy.sparse  # noqa: PLC0415

    indptr, indices, values = [0], [], []
    for number, raw in enumerate(body.decode('utf-8').splitlines(), start=1):
        line = raw.split('#', 1)[0].strip()
        if not line:
            continue
        tokens = line.split()
        if ':' not in tokens[0]:
            tokens = tokens[1:]  # the label
        try:
            for token in tokens:
                key, sep, value = token.partition(':')
                if not sep:
                    raise ValueError(token)
                if key == 'qid':
                    continue
                indices.append(int(key))
                values.append(float(value))
        except ValueError as error:
            raise HttpError(415, f'Loading libsvm data failed with Exception, please ensure data is in libsvm format: line {number}: {error}') from None
        indptr.append(len(indices))
    if len(indptr) == 1:
        raise HttpError(204)
    width = max(num_features, (max(indices) + 1) if indices else 0)
    return scipy.sparse.csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(indices), np.asarray(indptr)), shape=(len(indptr) - 1, width))


def _instance_row(item, number):
    """One JSON instance → (values, keys or None, dim or None)."""
    if isinstance(item, dict):
        if 'features' in item:
            return _instance_row(item['features'], number)
        if 'data' in item and isinstance(item['data'], dict):
            return _instance_row(item['data'], number)
        if 'values' in item:
            keys = item.get('keys')
            shape = item.get('shape')
            return item['values'], keys, (shape[0] if isinstance(shape, list) and shape else None)
        raise ValueError(f'instance {number} has no "features"')
    if isinstance(item, (int, float)):
        return [item], None, None
    if isinstance(item, list):
        return item, None, None
    raise ValueError(f'instance {number} is not a list of numbers or an object with "features"')


def _rows_to_matrix(instances):
    import scipy.sparse  # noqa: PLC0415

    rows = [_instance_row(item, n) for n, item in enumerate(instances)]
    if not rows:
        raise HttpError(204)
    if all(keys is None for _, keys, _ in rows):
        widths = {len(values) for values, _, _ in rows}
        if len(widths) > 1:
            raise HttpError(400, f'Unable to evaluate payload provided: instances have different numbers of features ({sorted(widths)})')
        return np.asarray([values for values, _, _ in rows], dtype=np.float32)
    indptr, indices, data = [0], [], []
    width = 0
    for values, keys, dim in rows:
        keys = list(range(len(values))) if keys is None else keys
        if len(keys) != len(values):
            raise ValueError('sparse instance with different numbers of keys and values')
        indices.extend(int(k) for k in keys)
        data.extend(float(v) for v in values)
        indptr.append(len(indices))
        width = max(width, dim or 0, (max(keys) + 1) if keys else 0)
    return scipy.sparse.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(indices), np.asarray(indptr)), shape=(len(rows), width))


def _parse_json(body, lines):
    try:
        if lines:
            documents = [json.loads(line) for line in body.decode('utf-8').splitlines() if line.strip()]
            instances = []
            for document in documents:
                if isinstance(document, dict) and 'instances' in document:
                    instances.extend(document['instances'])
                else:
                    instances.append(document)
        else:
            document = json.loads(body.decode('utf-8'))
            if isinstance(document, dict) and 'instances' in document:
                instances = document['instances']
            elif isinstance(document, dict):
                instances = [document]
            elif isinstance(document, list) and document and all(isinstance(v, (int, float)) for v in document):
                instances = [document]
            elif isinstance(document, list):
                instances = document
            else:
                raise ValueError('expected {"instances": [...]}, {"features": [...]} or a list of rows')
        return _rows_to_matrix(instances)
    except HttpError:
        raise
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise HttpError(415, f'Loading json data failed with Exception, please ensure data is in json format: {error}') from None


def _parse_recordio(body):
    from ..formats.record_pb import read_recordio_protobuf  # noqa: PLC0415
    from ..contract import ClientError  # noqa: PLC0415

    try:
        dataset = read_recordio_protobuf(body, 'request')
    except ClientError as error:
        raise HttpError(415, f'Loading recordio-protobuf data failed with Exception: {error}') from None
    if dataset.rows == 0:
        raise HttpError(204)
    return dataset.features


def decode(body, content_type, num_features):
    """Request body → dense float32 matrix or CSR. HttpError 204/400/415 as the container answers."""
    kind, _ = media_type(content_type)
    kind = _REQUEST_TYPES.get(kind or 'text/csv')
    if kind is None:
        raise HttpError(415, f'Content type {content_type} is not supported. Supported content types: text/csv, text/libsvm, application/json, application/jsonlines, application/x-recordio-protobuf')
    if not body.strip():
        raise HttpError(204)
    try:
        if kind == CSV:
            return _parse_csv(body)
        if kind == LIBSVM:
            return _parse_libsvm(body, num_features)
        if kind in (JSON, JSONLINES):
            return _parse_json(body, kind == JSONLINES)
        return _parse_recordio(body)
    except UnicodeDecodeError as error:
        raise HttpError(415, f'The request body is not UTF-8 text: {error}') from None


def _selected(model, preds, keys):
    objective = model.objective
    out = []
    labels = [0, 1] if objective.startswith('binary:') else (list(range(model.num_class)) if objective.startswith('multi:') and model.num_class else None)
    for p in preds:
        row = {}
        vector = isinstance(p, np.ndarray) and p.ndim == 1
        for key in keys:
            value = None
            if key == 'predicted_label':
                if objective in ('binary:hinge', 'multi:softmax'):
                    value = int(p)
                elif objective == 'binary:logistic':
                    value = int(p > 0.5)
                elif objective == 'binary:logitraw':
                    value = int(p > 0)
                elif objective == 'multi:softprob':
                    value = int(np.argmax(p))
            elif key == 'labels':
                value = labels
            elif key == 'probability':
                if objective == 'multi:softprob':
                    value = float(np.max(p))
                elif objective == 'binary:logistic':
                    value = float(p)
            elif key == 'probabilities':
                if objective == 'multi:softprob':
                    value = [float(v) for v in p]
                elif objective == 'binary:logistic':
                    value = [1.0 - float(p), float(p)]
            elif key == 'raw_score':
                value = float(np.max(p)) if vector else float(p)
            elif key == 'raw_scores':
                value = [float(v) for v in p] if vector else ([1.0 - float(p), float(p)] if objective == 'binary:logistic' else None)
            elif key == 'predicted_score':
                value = None if vector else float(p)
            row[key] = value if value is not None else math.nan
        out.append(row)
    return out


def _json_safe(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def encode(model, preds, accept):
    """Predictions → (body, content type) for the negotiated Accept."""
    batch = bool(os.environ.get('SAGEMAKER_BATCH'))
    selection = os.environ.get('SAGEMAKER_INFERENCE_OUTPUT')
    if selection:
        keys = [k for k in selection.replace(' ', '').lower().split(',') if k]
        unknown = [k for k in keys if k not in SELECTABLE]
        if unknown:
            raise HttpError(400, f'Unable to evaluate payload provided: SAGEMAKER_INFERENCE_OUTPUT names unknown keys {unknown}; choose from {sorted(SELECTABLE)}')
        rows = _selected(model, preds, keys)
        if accept == CSV:
            lines = [','.join(f'"{json.dumps(_json_safe(r[k]))}"' if isinstance(r[k], list) else str(r[k]) for k in keys) for r in rows]
            return ('\n'.join(lines) + ('\n' if batch else '')).encode(), CSV
        if accept == JSON:
            return json.dumps({'predictions': [{k: _json_safe(v) for k, v in r.items()} for r in rows]}).encode(), JSON
        if accept == JSONLINES:
            return ''.join(json.dumps({k: _json_safe(v) for k, v in r.items()}) + '\n' for r in rows).encode(), JSONLINES
        from ..formats.record_pb import write_label_records  # noqa: PLC0415

        columns = {}
        for k in keys:
            columns[k] = np.asarray([r[k] if isinstance(r[k], list) else [r[k]] for r in rows], dtype=np.float32)
        return write_label_records(columns), RECORDIO
    values = preds.tolist()
    if accept == CSV:
        if preds.ndim == 2:
            text = '\n'.join(','.join(str(v) for v in row) for row in values) + ('\n' if batch else '')
        elif batch:
            text = '\n'.join(str(v) for v in values) + '\n'
        else:
            text = ','.join(str(v) for v in values)
        return text.encode(), CSV
    if accept == JSON:
        return json.dumps({'predictions': [{'score': v} for v in values]}).encode(), JSON
    if accept == JSONLINES:
        return ''.join(json.dumps({'score': v}) + '\n' for v in values).encode(), JSONLINES
    from ..formats.record_pb import write_label_records  # noqa: PLC0415

    return write_label_records({'score': preds.reshape(len(preds), -1)}), RECORDIO


class XGBoostHandler:
    """The serving handler: ``load`` reads ``xgboost-model`` (binary, JSON/UBJSON or an old
    pickle); ``invoke`` decodes, predicts (up to the best iteration when early stopping saved
    one) and encodes."""

    def load(self, model_dir):
        import xgboost  # noqa: PLC0415

        booster = _load_booster(xgboost, _find_model_file(model_dir))
        objective, num_class = _objective(booster)
        return Model(booster, objective, num_class)

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
            dmatrix = xgboost.DMatrix(matrix, missing=float('nan'))
            with model.lock:
                preds = model.booster.predict(dmatrix, iteration_range=model.iteration_range, validate_features=False)
        except xgboost.core.XGBoostError as error:
            raise HttpError(400, f'Unable to evaluate payload provided: {str(error).strip().splitlines()[0]}') from None
        return encode(model, preds, answer)
