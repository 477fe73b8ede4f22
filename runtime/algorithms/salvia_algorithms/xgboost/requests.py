"""XGBoost inference request bodies → a dense float32 matrix or a CSR matrix, answering
HttpError 204 (empty), 400 (rows of different widths) or 415 (not decodable) as the container does."""

import io
import json
import math

import numpy as np

from ..serving import HttpError, media_type

CSV, LIBSVM, JSON, JSONLINES, RECORDIO = 'text/csv', 'text/libsvm', 'application/json', 'application/jsonlines', 'application/x-recordio-protobuf'
_REQUEST_TYPES = {
    'text/csv': CSV, 'csv': CSV,
    'text/libsvm': LIBSVM, 'text/x-libsvm': LIBSVM, 'libsvm': LIBSVM,
    'application/json': JSON, 'json': JSON,
    'application/jsonlines': JSONLINES, 'application/x-jsonlines': JSONLINES, 'application/jsonl': JSONLINES,
    'application/x-recordio-protobuf': RECORDIO, 'recordio-protobuf': RECORDIO,
}

def _first_line(body):
    start = 0
    while True:
        end = body.find(b'\n', start)
        line = body[start:] if end < 0 else body[start:end]
        if line.strip():
            return line.decode('utf-8')
        if end < 0:
            return None
        start = end + 1


def _parse_csv(body):
    first = _first_line(body)
    if first is None:
        raise HttpError(204)
    delimiter = next((d for d in (',', '\t', ';', '|') if d in first), ',')
    try:
        # the common case, fast (numpy's C reader straight from the bytes: empty lines and CR LF
        # are fine); anything unusual (blank lines with spaces, empty fields, ragged rows, text) is
        # diagnosed below
        return np.loadtxt(io.BytesIO(body), delimiter=delimiter, dtype=np.float32, ndmin=2, encoding='utf-8')
    except ValueError:
        pass
    text = body.decode('utf-8')
    lines = [line for line in text.splitlines() if line.strip()]
    try:
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
