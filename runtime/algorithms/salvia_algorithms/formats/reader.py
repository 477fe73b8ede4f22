"""Reading a whole training channel into one Dataset, whatever its content type, from File /
FastFile directories or a Pipe-mode FIFO (epoch 0), unwrapping ``RecordWrapperType=RecordIO``."""

import os
import time

import numpy as np

from ..contract import ClientError
from . import content_type as ct
from . import recordio
from .csv import parse_csv, read_csv
from .dataset import Dataset, empty_dataset
from .libsvm import parse_libsvm
from .record_pb import read_recordio_protobuf

# How long a Pipe-mode channel waits for its first FIFO (the platform's feeder creates it).
PIPE_WAIT_SECONDS = float(os.environ.get('SALVIA_PIPE_WAIT_SECONDS', '120'))


def _channel_sources(channel):
    """(display name, path) of each input of a channel: its files (File/FastFile), or the
    first epoch's FIFO ``<dir>_0`` (Pipe)."""
    if channel.input_mode == 'Pipe':
        fifo = f'{channel.directory}_0'
        deadline = time.monotonic() + PIPE_WAIT_SECONDS
        while not os.path.exists(fifo):  # readiness polling: the feeder sidecar creates the FIFO
            if time.monotonic() > deadline:
                raise ClientError(f"Pipe-mode channel '{channel.name}': {fifo} did not appear within {PIPE_WAIT_SECONDS:.0f} s")
            time.sleep(0.05)
        return [(f'{channel.name} (pipe)', fifo)]
    return [(f'{channel.name}/{os.path.relpath(p, channel.directory)}', p) for p in channel.files()]


def _unsupported(content_type, source):
    return ClientError(f'{source}: content type {content_type.raw or content_type.media_type!r} is not supported')


def read_file(path, content_type, label_size=1, source=None):
    """One file as a Dataset by media type (a ContentType). ``label_size`` applies to CSV
    (the content type's own ``label_size`` parameter wins)."""
    source = source or path
    kind = content_type.media_type
    if kind == ct.CSV:  # read line by line rather than whole
        return read_csv(path, content_type.label_size(label_size), source)
    if kind not in (ct.LIBSVM, ct.RECORDIO_PROTOBUF):
        raise _unsupported(content_type, source)
    with open(path, 'rb') as f:
        return read_bytes(f.read(), content_type, label_size, source)


def read_bytes(data, content_type, label_size=1, source='input'):
    """Like read_file, from bytes already read (a FIFO, an unwrapped RecordIO stream)."""
    kind = content_type.media_type
    if kind == ct.CSV:
        return parse_csv(data, content_type.label_size(label_size), source)
    if kind == ct.LIBSVM:
        return parse_libsvm(data, source)
    if kind == ct.RECORDIO_PROTOBUF:
        return read_recordio_protobuf(data, source)
    raise _unsupported(content_type, source)


def read_source(path, content_type, label_size=1, source=None, record_wrapper='None'):
    """One channel input: a regular file is read by read_file; a FIFO (Pipe mode) is read once
    into memory; with ``record_wrapper='RecordIO'`` each RecordIO record is one S3 object, unwrapped
    (text objects joined with newlines) before parsing."""
    source = source or path
    if os.path.isfile(path) and record_wrapper != 'RecordIO':
        return read_file(path, content_type, label_size, source)
    with open(path, 'rb') as f:
        data = f.read()
    if record_wrapper == 'RecordIO':
        parts = list(recordio.iter_records(data, source))
        text = content_type.media_type in (ct.CSV, ct.LIBSVM)
        data = b'\n'.join(p.rstrip(b'\n') for p in parts) if text else b''.join(parts)
    return read_bytes(data, content_type, label_size, source)


def concatenate(parts, what):
    """Stacks Datasets row-wise; ClientError when feature counts or label presence differ."""
    import scipy.sparse  # noqa: PLC0415

    parts = [(name, d) for name, d in parts if d.rows]
    if not parts:
        return empty_dataset()
    first_name, first = parts[0]
    for name, data in parts[1:]:
        if data.feature_dim != first.feature_dim and not (data.is_sparse or first.is_sparse):
            raise ClientError(f'{name}: rows have {data.feature_dim} features, but {first_name} has {first.feature_dim} ({what})')
        if (data.labels is None) != (first.labels is None):
            raise ClientError(f'{name}: {"no " if data.labels is None else ""}labels, unlike {first_name} ({what})')
    if len(parts) == 1:
        return first
    labels = None if first.labels is None else np.concatenate([d.labels for _, d in parts])
    if any(d.is_sparse for _, d in parts):
        width = max(d.feature_dim for _, d in parts)
        blocks = [scipy.sparse.csr_matrix(d.features, shape=(d.rows, width)) if d.is_sparse else scipy.sparse.csr_matrix(
            np.pad(d.features, ((0, 0), (0, width - d.feature_dim)))) for _, d in parts]
        return Dataset(scipy.sparse.vstack(blocks, format='csr', dtype=np.float32), labels)
    return Dataset(np.concatenate([d.features for _, d in parts]), labels)


def read_channel(channel, supported, default_content_type, label_size=1):
    """Every file of ``channel`` (a contract.Channel) as one Dataset. ``supported``: media types
    allowed (canonical names from content_type); the channel's ContentType (or
    ``default_content_type``) must be one, else ClientError. Files are read in sorted order
    (Pipe mode: the FIFO ``<channel dir>_0``, waited for up to PIPE_WAIT_SECONDS);
    errors name ``<channel>/<relative path>`` and the line or record."""
    kind = ct.parse_content_type(channel.content_type, default_content_type)
    if kind.media_type not in supported:
        raise ClientError(f"Content type '{channel.content_type or default_content_type}' of channel '{channel.name}' is not supported; "
                          f"supported content types: {', '.join(supported)}")
    parts = [(name, read_source(path, kind, label_size, name, channel.record_wrapper)) for name, path in _channel_sources(channel)]
    return concatenate(parts, f"channel '{channel.name}'")
