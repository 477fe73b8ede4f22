"""Reading a whole training channel into one Dataset, whatever its content type."""

import os

import numpy as np

from ..contract import ClientError
from . import content_type as ct
from .csv import read_csv
from .dataset import Dataset, empty_dataset
from .libsvm import read_libsvm
from .record_pb import read_recordio_protobuf


def _channel_sources(channel):
    """(display name, path) of each input of a channel: its files (File/FastFile), or the
    first epoch's FIFO ``<dir>_0`` (Pipe)."""
    if channel.input_mode == 'Pipe':
        fifo = f'{channel.directory}_0'
        return [(f'{channel.name} (pipe)', fifo)] if os.path.exists(fifo) else []
    return [(f'{channel.name}/{os.path.relpath(p, channel.directory)}', p) for p in channel.files()]


def read_file(path, content_type, label_size=1, source=None):
    """One file as a Dataset by media type (a ContentType). ``label_size`` applies to CSV
    (the content type's own ``label_size`` parameter wins)."""
    source = source or path
    kind = content_type.media_type
    if kind == ct.CSV:
        return read_csv(path, content_type.label_size(label_size), source)
    if kind == ct.LIBSVM:
        return read_libsvm(path, source)
    if kind == ct.RECORDIO_PROTOBUF:
        with open(path, 'rb') as f:
            return read_recordio_protobuf(f.read(), source)
    raise ClientError(f'{source}: content type {content_type.raw or kind!r} is not supported')


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
    ``default_content_type``) must be one, else ClientError. Files are read in sorted order;
    errors name ``<channel>/<relative path>`` and the line or record."""
    kind = ct.parse_content_type(channel.content_type, default_content_type)
    if kind.media_type not in supported:
        raise ClientError(f"Content type '{channel.content_type or default_content_type}' of channel '{channel.name}' is not supported; "
                          f"supported content types: {', '.join(supported)}")
    parts = [(name, read_file(path, kind, label_size, name)) for name, path in _channel_sources(channel)]
    return concatenate(parts, f"channel '{channel.name}'")
