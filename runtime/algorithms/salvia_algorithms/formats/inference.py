"""Inference request decoding and response encoding shared by the built-in algorithms' handlers.

``decode_request(body, content_type) -> features`` (float32 ndarray (n, d), or a float32 CSR
matrix for sparse JSON / protobuf instances) for text/csv (rows, no label), application/json
(``{"instances":[{"features":[…]} | {"data":{"features":{"values":[…],"keys":[…],"shape":[d]}}}]}``,
a single ``{"features":…}``, a list of rows, or one row), application/jsonlines (one instance or
row per line), application/x-recordio-protobuf (features["values"]) and text/libsvm. Raises
``UnsupportedContentType`` (→ 415) for other types and ClientError (→ 400) for bad payloads.

``encode_response(columns, accept) -> (bytes, content type)``: ``columns`` maps output name →
array (n,) or (n, m) in output order; application/json → ``{"predictions":[{name: value}, …]}``
(integer dtypes as ints, float32 values in shortest form), application/jsonlines → one object
per line, application/x-recordio-protobuf → one Record per row with a ``label`` map of float32
tensors, text/csv → one row per line (columns comma-joined). Unknown accept → ValueError.

``check_feature_dim(features, expected)`` raises ClientError when the width differs.
"""

import json

import numpy as np

from ..contract import ClientError
from . import content_type as ct
from .csv import parse_csv
from .libsvm import parse_libsvm
from .record_pb import read_recordio_protobuf, write_label_records


class UnsupportedContentType(ClientError):
    """The request's content type is not one this algorithm reads (HTTP 415)."""


def _row_from_features(features, where):
    """(keys or None, values, dim or None) from a JSON 'features' value."""
    if isinstance(features, dict):
        values = features.get('values')
        if not isinstance(values, list):
            raise ClientError(f'{where}: "features" object needs a "values" list')
        keys = features.get('keys')
        shape = features.get('shape')
        if keys is not None:
            if not isinstance(keys, list) or len(keys) != len(values):
                raise ClientError(f'{where}: "keys" must be a list as long as "values"')
            if not isinstance(shape, list) or not shape:
                raise ClientError(f'{where}: a sparse instance ("keys") needs "shape": [feature_dim]')
            return keys, values, shape[0]
        return None, values, None
    if isinstance(features, list):
        return None, features, None
    raise ClientError(f'{where}: "features" must be a list of numbers or an object with "values"')


def _instance(item, where):
    if isinstance(item, dict):
        if 'features' in item:
            return _row_from_features(item['features'], where)
        data = item.get('data')
        if isinstance(data, dict) and 'features' in data:
            return _row_from_features(data['features'], where)
        raise ClientError(f'{where}: an instance needs "features" or "data": {{"features": …}}')
    if isinstance(item, list):
        return None, item, None
    raise ClientError(f'{where}: an instance must be an object or a list of numbers')


def _rows_to_matrix(rows, source):
    import scipy.sparse  # noqa: PLC0415

    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    for i, (keys, values, _) in enumerate(rows):
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            raise ClientError(f'{source}: instance {i}: features must be numbers')
        if keys is not None and not all(isinstance(k, int) and k >= 0 for k in keys):
            raise ClientError(f'{source}: instance {i}: keys must be non-negative integers')
    if all(keys is None for keys, _, _ in rows):
        width = len(rows[0][1])
        for i, (_, values, _) in enumerate(rows):
            if len(values) != width:
                raise ClientError(f'{source}: instance {i} has {len(values)} features, but instance 0 has {width}')
        return np.asarray([values for _, values, _ in rows], dtype=np.float32).reshape(len(rows), width)
    dims = {dim if dim is not None else len(values) for _, values, dim in rows}
    if len(dims) > 1:
        raise ClientError(f'{source}: instances have different shapes {sorted(dims)}')
    dim = dims.pop()
    indptr, indices, data = [0], [], []
    for i, (keys, values, _) in enumerate(rows):
        keys = list(range(len(values))) if keys is None else keys
        if keys and max(keys) >= dim:
            raise ClientError(f'{source}: instance {i}: key {max(keys)} is outside the shape [{dim}]')
        indices.extend(keys)
        data.extend(values)
        indptr.append(len(indices))
    return scipy.sparse.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
                                   shape=(len(rows), dim), dtype=np.float32)


def _decode_json(body):
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ClientError(f'request: not valid JSON ({error})') from None
    if isinstance(document, dict):
        if 'instances' in document:
            instances = document['instances']
            if not isinstance(instances, list):
                raise ClientError('request: "instances" must be a list')
            return [_instance(item, f'request: instance {i}') for i, item in enumerate(instances)]
        return [_instance(document, 'request')]
    if isinstance(document, list):
        if document and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in document):
            return [(None, document, None)]
        return [_instance(item, f'request: instance {i}') for i, item in enumerate(document)]
    raise ClientError('request: JSON body must be an object or a list')


def _decode_jsonlines(body):
    try:
        text = bytes(body).decode('utf-8')
    except UnicodeDecodeError:
        raise ClientError('request: not UTF-8 text') from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            raise ClientError(f'request: line {number}: not valid JSON ({error})') from None
        rows.append(_instance(item, f'request: line {number}'))
    return rows


def decode_request(body, content_type, source='request'):
    """Features of an inference request (see module docs)."""
    kind = ct.parse_content_type(content_type)
    media = kind.media_type
    if media == ct.CSV:
        return parse_csv(body, label_size=kind.label_size(0), source=source).features
    if media == ct.JSON:
        return _rows_to_matrix(_decode_json(body), source)
    if media == ct.JSONLINES:
        return _rows_to_matrix(_decode_jsonlines(body), source)
    if media == ct.RECORDIO_PROTOBUF:
        return read_recordio_protobuf(bytes(body), source).features
    if media == ct.LIBSVM:
        return parse_libsvm(body, source, require_label=False).features
    raise UnsupportedContentType(f'Content type {content_type or "(none)"} is not supported')


def check_feature_dim(features, expected, source='request'):
    """ClientError unless every row has ``expected`` features."""
    if features.shape[1] != expected:
        raise ClientError(f'{source}: rows have {features.shape[1]} features, but the model expects feature_dim={expected}')


def _json_values(array):
    """Python values of one column: ints for integer dtypes, shortest-repr floats otherwise."""
    if array.dtype.kind in 'iub':
        return array.tolist()
    if array.dtype == np.float32:
        return [[float(str(v)) for v in row] if array.ndim > 1 else float(str(row)) for row in array]
    return array.tolist()


def _objects(columns):
    names = list(columns)
    lists = [_json_values(np.asarray(columns[name])) for name in names]
    return [dict(zip(names, values)) for values in zip(*lists)]


def encode_response(columns, accept):
    """Serialises predictions (see module docs); ``accept`` is a media type."""
    media = ct.parse_content_type(accept).media_type
    if media == ct.JSON:
        return json.dumps({'predictions': _objects(columns)}).encode('utf-8'), ct.JSON
    if media == ct.JSONLINES:
        return '\n'.join(json.dumps(o) for o in _objects(columns)).encode('utf-8'), ct.JSONLINES
    if media == ct.RECORDIO_PROTOBUF:
        return write_label_records(columns), ct.RECORDIO_PROTOBUF
    if media == ct.CSV:
        lists = [_json_values(np.asarray(columns[name])) for name in columns]
        lines = [','.join(','.join(str(x) for x in v) if isinstance(v, list) else str(v) for v in values) for values in zip(*lists)]
        return ('\n'.join(lines) + ('\n' if lines else '')).encode('utf-8'), ct.CSV
    raise ValueError(f'unsupported accept type {accept}')
