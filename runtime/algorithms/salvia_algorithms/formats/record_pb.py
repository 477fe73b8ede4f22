"""The ``aialgs.data.Record`` protobuf (SageMaker's record.proto, proto2) and
``application/x-recordio-protobuf`` streams (one Record per RecordIO record), hand-coded::

    message Float32Tensor { repeated float  values = 1 [packed]; repeated uint64 keys = 2 [packed];
                            repeated uint64 shape = 3 [packed]; }
    message Float64Tensor { repeated double values = 1 [packed]; keys = 2; shape = 3 }
    message Int32Tensor   { repeated int32  values = 1 [packed]; keys = 2; shape = 3 }
    message Bytes         { repeated bytes value = 1; optional string content_type = 2; }
    message Value  { oneof value { Float32Tensor float32_tensor = 2; Float64Tensor float64_tensor = 3;
                                   Int32Tensor int32_tensor = 7; Bytes bytes = 9; } }
    message Record { map<string, Value> features = 1; map<string, Value> label = 2;
                     optional string uid = 3; optional string metadata = 4; optional string configuration = 5; }

Dense rows use ``features["values"]`` (values only); sparse rows add ``keys`` (column indices)
and ``shape`` ([feature_dim]); a scalar label is ``label["values"]`` with one value. Decoding
accepts packed and unpacked repeated fields and every tensor type; unknown fields are skipped.

API: ``encode_record(features=None, label=None, uid=None, …) -> bytes`` (dicts name → Tensor or
array-like), ``decode_record(payload) -> RecordData``, ``write_dense(matrix, labels=None) ->
bytes`` and ``write_label_records(columns) -> bytes`` (vectorised recordio-protobuf writers),
``write_sparse(csr, labels=None)``, ``read_recordio_protobuf(data, source) -> Dataset`` (fast
numpy path when every record has the same layout, the common dense float32 case).
"""

import struct
from dataclasses import dataclass, field

import numpy as np

from ..contract import ClientError
from . import recordio
from .dataset import Dataset, empty_dataset

FLOAT32, FLOAT64, INT32, BYTES = 2, 3, 7, 9
_DTYPES = {FLOAT32: np.dtype('<f4'), FLOAT64: np.dtype('<f8'), INT32: np.dtype('<i4')}


class DecodeError(Exception):
    """Malformed protobuf bytes (turned into ClientError with the record's location)."""


@dataclass
class Tensor:
    """One ``Value``: ``values`` (ndarray of the tensor's dtype; for Bytes a list of bytes),
    ``keys`` (uint64 ndarray or None when dense), ``shape`` (list of ints or None)."""

    values: object
    keys: object = None
    shape: object = None
    kind: int = FLOAT32
    # Byte span of packed float/double values inside the decoded payload (fast-path support).
    span: tuple | None = field(default=None, repr=False)


@dataclass
class RecordData:
    features: dict = field(default_factory=dict)
    label: dict = field(default_factory=dict)
    uid: str | None = None
    metadata: str | None = None
    configuration: str | None = None


# --- wire primitives -------------------------------------------------------------------------

def _varint(buf, pos):
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise DecodeError('truncated varint')
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DecodeError('varint too long')


def _encode_varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _fields(buf, start, end):
    """Yields (field number, wire type, value, value_start) over buf[start:end]; for wire type 2
    value is (start, end) of the payload."""
    pos = start
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield number, wire, value
        elif wire == 1:
            if pos + 8 > end:
                raise DecodeError('truncated fixed64')
            yield number, wire, (pos, pos + 8)
            pos += 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            if pos + length > end:
                raise DecodeError(f'length-delimited field {number} runs past the end ({length} bytes)')
            yield number, wire, (pos, pos + length)
            pos += length
        elif wire == 5:
            if pos + 4 > end:
                raise DecodeError('truncated fixed32')
            yield number, wire, (pos, pos + 4)
            pos += 4
        else:
            raise DecodeError(f'unsupported wire type {wire} for field {number}')
    if pos != end:
        raise DecodeError('field runs past the end of its message')


def _packed_varints(buf, span):
    out = []
    pos, end = span
    while pos < end:
        value, pos = _varint(buf, pos)
        out.append(value)
    return out


def _extend_varints(target, buf, wire, value, what):
    """Appends a repeated varint field's values, packed (wire 2) or one at a time (wire 0)."""
    if wire == 2:
        target.extend(_packed_varints(buf, value))
    elif wire == 0:
        target.append(value)
    else:
        raise DecodeError(f'bad wire type for {what}')


def _ld(number, payload):
    return _encode_varint((number << 3) | 2) + _encode_varint(len(payload)) + payload


def _packed_uints(values):
    return b''.join(_encode_varint(int(v)) for v in values)


# --- decoding -------------------------------------------------------------------------------

def _decode_tensor(buf, start, end, kind):
    dtype = _DTYPES[kind]
    chunks = []
    singles = []
    keys = []
    shape = []
    span = None
    for number, wire, value in _fields(buf, start, end):
        if number == 1:
            if kind == INT32:
                _extend_varints(singles, buf, wire, value, 'int32 values')
            elif wire == 2:
                s, e = value
                if (e - s) % dtype.itemsize:
                    raise DecodeError('packed tensor values length is not a multiple of the element size')
                chunks.append(np.frombuffer(buf, dtype=dtype, count=(e - s) // dtype.itemsize, offset=s))
                span = value if span is None else False
            elif wire in (1, 5):
                s, e = value
                chunks.append(np.frombuffer(buf, dtype=dtype, count=1, offset=s))
                span = False
            else:
                raise DecodeError('bad wire type for tensor values')
        elif number in (2, 3):
            _extend_varints(keys if number == 2 else shape, buf, wire, value, 'tensor keys/shape')
    if kind == INT32:
        values = np.array([(v - (1 << 64)) if v >= (1 << 63) else v for v in singles], dtype=np.int64).astype(np.int32)
    elif not chunks:
        values = np.zeros(0, dtype=dtype)
    elif len(chunks) == 1:
        values = chunks[0]
    else:
        values = np.concatenate(chunks)
    return Tensor(values, np.array(keys, dtype=np.uint64) if keys else None, shape or None, kind, span or None)


def _decode_value(buf, start, end):
    tensor = None
    for number, wire, value in _fields(buf, start, end):
        if wire != 2:
            continue
        if number in _DTYPES:
            tensor = _decode_tensor(buf, value[0], value[1], number)
        elif number == BYTES:
            items = [bytes(buf[s:e]) for n, w, (s, e) in _fields(buf, value[0], value[1]) if n == 1 and w == 2]
            tensor = Tensor(items, kind=BYTES)
    return tensor


def _decode_map_entry(buf, start, end):
    key = ''
    value = None
    for number, wire, span in _fields(buf, start, end):
        if wire != 2:
            continue
        if number == 1:
            key = bytes(buf[span[0]:span[1]]).decode('utf-8', 'replace')
        elif number == 2:
            value = _decode_value(buf, span[0], span[1])
    return key, value


def decode_record(payload):
    """Decodes one Record. Raises DecodeError on malformed bytes."""
    buf = payload if isinstance(payload, (bytes, bytearray)) else bytes(payload)
    record = RecordData()
    for number, wire, value in _fields(buf, 0, len(buf)):
        if wire != 2:
            continue
        if number in (1, 2):
            key, tensor = _decode_map_entry(buf, value[0], value[1])
            if tensor is not None:
                (record.features if number == 1 else record.label)[key] = tensor
        elif number in (3, 4, 5):
            text = bytes(buf[value[0]:value[1]]).decode('utf-8', 'replace')
            setattr(record, {3: 'uid', 4: 'metadata', 5: 'configuration'}[number], text)
    return record


# --- encoding -------------------------------------------------------------------------------

def _as_tensor(value):
    if isinstance(value, Tensor):
        return value
    array = np.asarray(value)
    if array.dtype == np.float64:
        return Tensor(array.reshape(-1), kind=FLOAT64)
    if array.dtype.kind in 'iub' and array.dtype.itemsize <= 4 and array.dtype != np.uint32:
        return Tensor(array.reshape(-1).astype(np.int32), kind=INT32)
    return Tensor(array.reshape(-1).astype(np.float32), kind=FLOAT32)


def _encode_tensor(tensor):
    if tensor.kind == INT32:
        body = _ld(1, b''.join(_encode_varint(int(v)) for v in np.asarray(tensor.values).reshape(-1))) if len(tensor.values) else b''
    else:
        data = np.asarray(tensor.values, dtype=_DTYPES[tensor.kind]).reshape(-1).tobytes()
        body = _ld(1, data) if data else b''
    if tensor.keys is not None and len(tensor.keys):
        body += _ld(2, _packed_uints(tensor.keys))
    if tensor.shape:
        body += _ld(3, _packed_uints(tensor.shape))
    return _ld(tensor.kind, body)


def _encode_map(number, mapping):
    out = b''
    for key, value in (mapping or {}).items():
        out += _ld(number, _ld(1, key.encode('utf-8')) + _ld(2, _encode_tensor(_as_tensor(value))))
    return out


def encode_record(features=None, label=None, uid=None, metadata=None, configuration=None):
    """Serialises one Record. ``features``/``label``: dicts name → Tensor or array-like (float32
    unless the array is float64 / a small integer type, as the SageMaker SDK picks)."""
    out = _encode_map(1, features) + _encode_map(2, label)
    for number, text in ((3, uid), (4, metadata), (5, configuration)):
        if text is not None:
            out += _ld(number, text.encode('utf-8'))
    return out


def _template(features_dim, label_dims):
    """A dense float32 Record with zero values, and the byte offset of each tensor's values:
    returns (payload, {('features'|'label', name): offset})."""
    offsets = {}
    parts = []
    position = 0

    def entry(number, key, dim, where):
        nonlocal position
        values = _ld(1, b'\0' * (4 * dim))
        tensor = _ld(FLOAT32, values)
        inner = _ld(1, key.encode('utf-8')) + _ld(2, tensor)
        whole = _ld(number, inner)
        offsets[(where, key)] = position + len(whole) - 4 * dim
        position += len(whole)
        parts.append(whole)

    if features_dim is not None:
        entry(1, 'values', features_dim, 'features')
    for name, dim in label_dims.items():
        entry(2, name, dim, 'label')
    return b''.join(parts), offsets


def write_label_records(columns, features=None):
    """Vectorised recordio-protobuf writer: one Record per row, ``label`` map name → float32
    tensor of that row's values (columns: dict name → array of shape (n,) or (n, m)), optional
    dense ``features`` (n, d). Used for inference responses and dense training files."""
    arrays = {name: np.asarray(a, dtype=np.float32).reshape(len(a), -1) for name, a in columns.items()}
    if features is not None:
        features = np.ascontiguousarray(features, dtype=np.float32)
    counts = {len(a) for a in arrays.values()} | ({features.shape[0]} if features is not None else set())
    if len(counts) > 1:
        raise ValueError(f'columns have different row counts: {sorted(counts)}')
    n = counts.pop() if counts else 0
    if n == 0:
        return b''
    payload, offsets = _template(None if features is None else features.shape[1], {k: a.shape[1] for k, a in arrays.items()})
    length = len(payload)
    size = 8 + recordio.padded(length)
    out = np.zeros((n, size), dtype=np.uint8)
    out[:, :8] = np.frombuffer(recordio.MAGIC_BYTES + struct.pack('<I', length), dtype=np.uint8)
    out[:, 8:8 + length] = np.frombuffer(payload, dtype=np.uint8)
    if features is not None:
        off = 8 + offsets[('features', 'values')]
        out[:, off:off + 4 * features.shape[1]] = features.view(np.uint8).reshape(n, -1)
    for name, array in arrays.items():
        off = 8 + offsets[('label', name)]
        out[:, off:off + 4 * array.shape[1]] = np.ascontiguousarray(array).view(np.uint8).reshape(n, -1)
    return out.tobytes()


def write_dense(matrix, labels=None):
    """recordio-protobuf bytes for a dense float32 matrix (and optional per-row scalar labels),
    byte-identical to the SageMaker SDK's ``write_numpy_to_dense_tensor`` for float32 input."""
    matrix = np.asarray(matrix, dtype=np.float32)
    columns = {} if labels is None else {'values': np.asarray(labels, dtype=np.float32).reshape(-1)}
    if labels is None and matrix.shape[0] and matrix.shape[1] == 0:
        raise ValueError('no features')
    return write_label_records(columns, features=matrix) if matrix.shape[0] else b''


def write_sparse(matrix, labels=None):
    """recordio-protobuf bytes for a scipy sparse matrix (keys = column indices, shape =
    [feature_dim]), like the SDK's ``write_spmatrix_to_sparse_tensor``."""
    csr = matrix.tocsr()
    dim = csr.shape[1]
    records = []
    for i in range(csr.shape[0]):
        row = slice(csr.indptr[i], csr.indptr[i + 1])
        tensor = Tensor(csr.data[row].astype(np.float32), csr.indices[row].astype(np.uint64), [dim], FLOAT32)
        label = None if labels is None else {'values': np.asarray([labels[i]], dtype=np.float32)}
        records.append(encode_record({'values': tensor}, label))
    return recordio.write_records(records)


# --- reading datasets -----------------------------------------------------------------------

def _fast_dense(data, source):
    """Every record framed the same, with the same layout as the first: slice the values out
    with numpy. Returns a Dataset or None when the stream does not qualify."""
    buf = memoryview(data)
    if len(buf) < 8:
        return None
    magic, lrecord = struct.unpack_from('<II', buf, 0)
    if magic != recordio.MAGIC or lrecord >> 29:
        return None
    length = lrecord
    size = 8 + recordio.padded(length)
    if len(buf) % size or len(buf) < size:
        return None
    first = bytes(buf[8:8 + length])
    try:
        record = decode_record(first)
    except DecodeError:
        return None
    tensor = record.features.get('values')
    if (tensor is None or len(record.features) != 1 or tensor.kind not in (FLOAT32, FLOAT64) or tensor.keys is not None
            or tensor.span is None or len(tensor.values) == 0):
        return None
    label = record.label.get('values')
    if record.label and (label is None or len(record.label) != 1 or label.kind not in (FLOAT32, FLOAT64)
                         or label.keys is not None or label.span is None or len(label.values) != 1):
        return None
    n = len(buf) // size
    rows = np.frombuffer(buf, dtype=np.uint8).reshape(n, size)
    variable = np.zeros(size, dtype=bool)
    spans = [tensor.span] + ([label.span] if label is not None else [])
    for s, e in spans:
        variable[8 + s:8 + e] = True
    fixed = np.flatnonzero(~variable)
    if not (rows[:, fixed] == rows[0, fixed]).all():
        return None
    s, e = tensor.span
    width = (e - s) // tensor.values.dtype.itemsize
    features = np.ascontiguousarray(rows[:, 8 + s:8 + e]).view(tensor.values.dtype).reshape(n, width).astype(np.float32, copy=False)
    labels = None
    if label is not None:
        ls, le = label.span
        labels = np.ascontiguousarray(rows[:, 8 + ls:8 + le]).view(label.values.dtype).reshape(n).astype(np.float32, copy=False)
    return Dataset(features, labels)


def records_to_dataset(records, source, start_index=0):
    """Rows from decoded Records (features['values'] or the only feature; label['values'] or
    the only label, first value). Dense when every row is dense and equally long, CSR otherwise."""
    import scipy.sparse  # noqa: PLC0415 - only sparse data needs it

    dense_rows = []
    sparse = False
    labels = []
    dims = set()
    entries = []
    for i, record in enumerate(records):
        where = f'{source}, record {start_index + i}'
        tensor = record.features.get('values')
        if tensor is None and len(record.features) == 1:
            tensor = next(iter(record.features.values()))
        if tensor is None or tensor.kind == BYTES:
            raise ClientError(f'{where}: the record has no numeric features["values"] tensor')
        values = np.asarray(tensor.values, dtype=np.float32)
        if tensor.keys is not None:
            sparse = True
            if not tensor.shape:
                raise ClientError(f'{where}: a sparse tensor (with keys) needs a shape')
            if len(tensor.keys) != len(values):
                raise ClientError(f'{where}: sparse tensor has {len(tensor.keys)} keys but {len(values)} values')
            dim = int(tensor.shape[0])
            if len(values) and int(tensor.keys.max()) >= dim:
                raise ClientError(f'{where}: sparse key {int(tensor.keys.max())} is outside the shape [{dim}]')
            entries.append((tensor.keys.astype(np.int64), values))
        else:
            dim = len(values)
            entries.append((None, values))
        dims.add(dim)
        label = record.label.get('values')
        if label is None and len(record.label) == 1:
            label = next(iter(record.label.values()))
        if label is not None and label.kind != BYTES and len(label.values):
            labels.append(float(np.asarray(label.values).reshape(-1)[0]))
        else:
            labels.append(None)
    n = len(entries)
    if n == 0:
        return empty_dataset()
    have = [x is not None for x in labels]
    if any(have) and not all(have):
        missing = have.index(False)
        raise ClientError(f'{source}, record {start_index + missing}: the record has no label while others have one')
    label_array = np.asarray(labels, dtype=np.float32) if all(have) else None
    if not sparse:
        if len(dims) > 1:
            first = len(entries[0][1])
            bad = next(i for i, (_, v) in enumerate(entries) if len(v) != first)
            raise ClientError(f'{source}, record {start_index + bad}: {len(entries[bad][1])} features, but record {start_index} has {first}')
        return Dataset(np.stack([v for _, v in entries]).astype(np.float32, copy=False), label_array)
    dim = max(dims)
    indptr = [0]
    indices = []
    data = []
    for keys, values in entries:
        if keys is None:
            keys = np.arange(len(values), dtype=np.int64)
        indices.append(keys)
        data.append(values)
        indptr.append(indptr[-1] + len(values))
    matrix = scipy.sparse.csr_matrix((np.concatenate(data), np.concatenate(indices), np.asarray(indptr)), shape=(n, dim), dtype=np.float32)
    return Dataset(matrix, label_array)


def iter_decoded(data, source='input'):
    """Yields each Record of a recordio-protobuf stream; ClientError names source and record."""
    for index, payload in enumerate(recordio.iter_records(data, source)):
        try:
            yield decode_record(payload)
        except DecodeError as error:
            raise ClientError(f'{source}, record {index}: not a valid aialgs.data.Record protobuf ({error})') from None


def read_recordio_protobuf(data, source='input'):
    """A Dataset from a whole recordio-protobuf stream (bytes). Raises ClientError naming
    ``source`` and the record on bad framing or bad protobuf."""
    fast = _fast_dense(data, source)
    if fast is not None:
        return fast
    return records_to_dataset(list(iter_decoded(data, source)), source)
