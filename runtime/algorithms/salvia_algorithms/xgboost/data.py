"""Training data of one channel → (features, labels, weights, groups): the content types the
XGBoost container reads, with ClientErrors that name the file and line."""

import csv as csvlib
import io
import os

import numpy as np

from ..contract import ClientError

CSV, LIBSVM, PARQUET, RECORDIO = 'text/csv', 'text/libsvm', 'application/x-parquet', 'application/x-recordio-protobuf'
_ALIASES = {
    'csv': CSV, 'text/csv': CSV,
    'libsvm': LIBSVM, 'text/libsvm': LIBSVM, 'text/x-libsvm': LIBSVM,
    'parquet': PARQUET, 'application/x-parquet': PARQUET,
    'recordio-protobuf': RECORDIO, 'application/x-recordio-protobuf': RECORDIO,
}


def content_type(header):
    """Channel ContentType → (canonical type, params); None → text/libsvm as in the container.
    Raises ClientError for anything else, and for text/csv with label_size other than 1."""
    if not header:
        return LIBSVM, {}
    parts = [p.strip() for p in header.split(';')]
    kind = _ALIASES.get(parts[0].lower())
    params = {}
    for part in parts[1:]:
        if '=' in part:
            key, value = part.split('=', 1)
            params[key.strip().lower()] = value.strip()
    if kind is None:
        raise ClientError(
            f'Content type {header} is not supported by the XGBoost algorithm. Supported content types: '
            'text/libsvm (default), text/x-libsvm, text/csv, application/x-recordio-protobuf, application/x-parquet'
        )
    if kind == CSV and params.get('label_size', '1') != '1':
        raise ClientError(f"Content type {header}: label_size must be 1 for XGBoost training data (the label is the first column)")
    return kind, params


class Data:
    """One channel's rows: ``features`` (float32 ndarray or scipy CSR), ``labels``, optional
    ``weights`` and ``groups`` (query group sizes, from libsvm ``qid:``)."""

    def __init__(self, features, labels, weights=None, groups=None):
        self.features, self.labels, self.weights, self.groups = features, labels, weights, groups

    @property
    def rows(self):
        return self.features.shape[0]


def _sniff(first_line, name):
    try:
        return csvlib.Sniffer().sniff(first_line, delimiters=',\t;| ').delimiter
    except csvlib.Error:
        if ',' in first_line:
            return ','
        raise ClientError(f'{name}: could not determine the CSV delimiter from the first line') from None


def _field_counts(data, delimiter):
    """Fields per non-empty line, vectorised over the bytes; returns (counts, line numbers)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    ends = np.append(newlines, len(buf))
    starts = np.concatenate(([0], newlines + 1))
    delims = np.concatenate(([0], np.cumsum(buf == ord(delimiter))))
    counts = delims[ends] - delims[starts] + 1
    lengths = ends - starts
    # a line of only '\r' is empty too
    cr = np.zeros(len(starts), dtype=bool)
    nonempty_start = lengths > 0
    cr[nonempty_start] = buf[np.minimum(starts[nonempty_start], len(buf) - 1)] == 13
    keep = (lengths > 0) & ~((lengths == 1) & cr)
    return counts[keep], np.flatnonzero(keep) + 1


def _bad_value_line(text, delimiter, name):
    for number, line in enumerate(text.splitlines(), start=1):
        for value in line.strip().split(delimiter):
            value = value.strip()
            if value == '':
                continue
            try:
                float(value)
            except ValueError:
                return f'{name}, line {number}: could not convert {value!r} to a number'
    return f'{name}: could not parse the CSV data'


def read_csv(data, name, csv_weights=False):
    """Label in column 0, weight in column 1 when ``csv_weights``, features after; empty fields
    are missing values (NaN). Raises ClientError on a ragged row or a non-number."""
    text = data.decode('utf-8', errors='replace')
    stripped = text.lstrip()
    if not stripped:
        return None
    delimiter = _sniff(stripped.split('\n', 1)[0], name)
    counts, lines = _field_counts(data, delimiter)
    expected = counts[0]
    ragged = np.flatnonzero(counts != expected)
    if len(ragged):
        at = ragged[0]
        raise ClientError(f'{name}, line {lines[at]}: {counts[at]} columns, but line {lines[0]} has {expected} (ragged CSV)')
    minimum = 3 if csv_weights else 2
    if expected < minimum:
        raise ClientError(f'{name}: {expected} column(s); expected the label{", the weight" if csv_weights else ""} and at least one feature')
    try:
        import pandas  # noqa: PLC0415 - the fast parser when present

        frame = pandas.read_csv(io.StringIO(text), header=None, sep=delimiter, dtype=np.float32, skip_blank_lines=True,
                                engine='c', na_filter=True, keep_default_na=False, na_values=[''])
        matrix = frame.to_numpy(dtype=np.float32)
    except ImportError:
        try:
            matrix = np.genfromtxt(io.StringIO(text), delimiter=delimiter, dtype=np.float32, invalid_raise=True, ndmin=2)
        except ValueError:
            raise ClientError(_bad_value_line(text, delimiter, name)) from None
    except (ValueError, TypeError):
        raise ClientError(_bad_value_line(text, delimiter, name)) from None
    labels = matrix[:, 0]
    if np.isnan(labels).any():
        row = int(np.flatnonzero(np.isnan(labels))[0])
        raise ClientError(f'{name}, line {lines[row]}: the label (first column) is missing')
    if csv_weights:
        return Data(np.ascontiguousarray(matrix[:, 2:]), labels.copy(), weights=matrix[:, 1].copy())
    return Data(np.ascontiguousarray(matrix[:, 1:]), labels.copy())


def read_libsvm(data, name):
    """``<label>[:weight] [qid:<q>] <index>:<value> …`` with zero-based indices (as xgboost
    reads them) → CSR. ClientError names the line of a malformed token."""
    import scipy.sparse  # noqa: PLC0415

    labels, weights, qids = [], [], []
    indptr, indices, values = [0], [], []
    has_weight = False
    for number, raw in enumerate(data.decode('utf-8', errors='replace').splitlines(), start=1):
        line = raw.split('#', 1)[0].strip()
        if not line:
            continue
        tokens = line.split()
        try:
            head = tokens[0].split(':')
            labels.append(float(head[0]))
            if len(head) > 1:
                has_weight = True
                weights.append(float(head[1]))
            else:
                weights.append(1.0)
            qid = None
            for token in tokens[1:]:
                key, sep, value = token.partition(':')
                if not sep:
                    raise ValueError(token)
                if key == 'qid':
                    qid = int(value)
                    continue
                index = int(key)
                if index < 0:
                    raise ValueError(token)
                indices.append(index)
                values.append(float(value))
            qids.append(qid)
        except ValueError as error:
            detail = str(error)
            detail = detail if len(detail) <= 80 else detail[:77] + '...'
            raise ClientError(f'{name}, line {number}: not valid libsvm ({detail}); expected "<label> <index>:<value> ..."') from None
        indptr.append(len(indices))
    if not labels:
        return None
    dim = (max(indices) + 1) if indices else 0
    matrix = scipy.sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(labels), dim), dtype=np.float32,
    )
    groups = None
    if any(q is not None for q in qids):
        if any(q is None for q in qids):
            raise ClientError(f'{name}: some lines have qid: and others do not')
        groups = []
        previous = object()
        for q in qids:
            if q != previous:
                groups.append(0)
                previous = q
            groups[-1] += 1
    return Data(matrix, np.asarray(labels, dtype=np.float32), np.asarray(weights, dtype=np.float32) if has_weight else None, groups)


def read_recordio(data, name):
    from ..formats.record_pb import read_recordio_protobuf  # noqa: PLC0415

    dataset = read_recordio_protobuf(data, name)
    if dataset.rows == 0:
        return None
    if dataset.labels is None:
        raise ClientError(f'{name}: the records carry no label; XGBoost training data needs label["values"]')
    return Data(dataset.features, dataset.labels)


def read_parquet(path, name):
    try:
        import pandas  # noqa: PLC0415

        frame = pandas.read_parquet(path)
    except ImportError:
        raise ClientError(
            'Content type application/x-parquet is not supported on this platform: the algorithm runtime has no '
            'Parquet engine (pyarrow or fastparquet); convert the data to text/csv, text/libsvm or '
            'application/x-recordio-protobuf'
        ) from None
    except Exception as error:  # noqa: BLE001 - a corrupt file is the user's
        raise ClientError(f'{name}: not a readable Parquet file ({error})') from None
    matrix = frame.to_numpy(dtype=np.float32)
    if matrix.shape[1] < 2:
        raise ClientError(f'{name}: expected the label column and at least one feature column')
    return Data(np.ascontiguousarray(matrix[:, 1:]), matrix[:, 0].copy())


def _stack(parts, name):
    import scipy.sparse  # noqa: PLC0415

    if len(parts) == 1:
        return parts[0]
    sparse = any(not isinstance(p.features, np.ndarray) for p in parts)
    if sparse:
        dim = max(p.features.shape[1] for p in parts)
        blocks = [scipy.sparse.csr_matrix(p.features) for p in parts]
        blocks = [b if b.shape[1] == dim else scipy.sparse.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], dim)) for b in blocks]
        features = scipy.sparse.vstack(blocks, format='csr')
    else:
        dims = {p.features.shape[1] for p in parts}
        if len(dims) > 1:
            raise ClientError(f'{name}: files have different numbers of columns ({", ".join(str(d) for d in sorted(dims))})')
        features = np.concatenate([p.features for p in parts])
    labels = np.concatenate([p.labels for p in parts])
    weights = None
    if any(p.weights is not None for p in parts):
        weights = np.concatenate([p.weights if p.weights is not None else np.ones(p.rows, dtype=np.float32) for p in parts])
    groups = None
    if any(p.groups for p in parts):
        groups = [g for p in parts for g in (p.groups or [p.rows])]
    return Data(features, labels, weights, groups)


def channel_sources(channel, base):
    """(display name, path) of every input of a channel: its files in File mode, the FIFO
    ``<channel>_0`` in Pipe mode."""
    if channel.input_mode == 'Pipe':
        fifo = os.path.join(base, f'{channel.name}_0')
        return [(f'{channel.name} pipe', fifo)]
    return [(os.path.relpath(f, os.path.dirname(channel.directory)), f) for f in channel.files()]


def read_channel(channel, base, csv_weights=False, fallback_content_type=None):
    """All rows of one channel, or None when it holds no data. A channel without a ContentType
    takes ``fallback_content_type`` (the train channel's, as the container reads validation data)."""
    kind, _ = content_type(channel.content_type or fallback_content_type)
    parts = []
    for name, path in channel_sources(channel, base):
        if kind == PARQUET:
            part = read_parquet(path, name)
        else:
            with open(path, 'rb') as f:
                data = f.read()
            if path.endswith('.gz') or data[:2] == b'\x1f\x8b':
                import gzip  # noqa: PLC0415

                data = gzip.decompress(data)
            if kind == CSV:
                part = read_csv(data, name, csv_weights)
            elif kind == LIBSVM:
                part = read_libsvm(data, name)
            else:
                part = read_recordio(data, name)
        if part is not None and part.rows:
            parts.append(part)
    if not parts:
        return None
    return _stack(parts, channel.name)


def align(train, validation):
    """Gives sparse train and validation matrices the same width (libsvm files need not mention
    the last column); dense ones must already agree, else ClientError."""
    train_dim, validation_dim = train.features.shape[1], validation.features.shape[1]
    if train_dim == validation_dim:
        return
    if isinstance(train.features, np.ndarray) or isinstance(validation.features, np.ndarray):
        raise ClientError(f'The validation data has {validation_dim} features but the training data has {train_dim}')
    dim = max(train_dim, validation_dim)
    for part in (train, validation):
        m = part.features
        part.features = type(m)((m.data, m.indices, m.indptr), shape=(m.shape[0], dim))
