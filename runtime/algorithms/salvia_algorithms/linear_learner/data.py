"""Reading Linear Learner's channels (train, validation, test) into features and labels, with the
checks the algorithm makes on them: supported content type, labels present and valid for the
predictor type, finite values, one feature_dim across channels."""

import numpy as np

from ..contract import ClientError
from ..formats import read_channel as read_formatted_channel
from ..formats.content_type import CSV, RECORDIO_PROTOBUF
from ..formats.recordio import MAGIC_BYTES

SUPPORTED = (RECORDIO_PROTOBUF, CSV)


def default_content_type(channel):
    """For a channel without ContentType: recordio-protobuf when its first file starts with the
    RecordIO magic number (what the SageMaker SDK's record sets hold), else text/csv."""
    files = channel.files() if channel.input_mode != 'Pipe' else []
    if files:
        with open(files[0], 'rb') as f:
            if f.read(4) == MAGIC_BYTES:
                return RECORDIO_PROTOBUF
        return CSV
    return RECORDIO_PROTOBUF


def read_channel(channel):
    """All records of a channel as one Dataset. Raises ClientError for an unsupported content
    type (Linear Learner reads application/x-recordio-protobuf and text/csv), unreadable data or
    a channel without records."""
    try:
        dataset = read_formatted_channel(channel, SUPPORTED, default_content_type(channel), label_size=1)
    except ClientError as error:
        message = str(error)
        if 'is not supported' in message and 'Content type' in message:
            raise ClientError(f'{message} (Linear Learner reads {RECORDIO_PROTOBUF} and {CSV})') from None
        raise
    if dataset.rows == 0:
        raise ClientError(f"Channel '{channel.name}' has no records ({channel.directory})")
    return dataset


def check_dataset(name, dataset, predictor_type, num_classes, feature_dim):
    """Validates one channel's data for training: labels present and finite, labels in range
    for classifiers, features finite, width == feature_dim (when known). Returns (features, labels)
    with labels as float32."""
    if dataset.labels is None:
        raise ClientError(f"Channel '{name}' has no labels; Linear Learner is supervised (CSV: label in the first column; recordio-protobuf: label['values'])")
    labels = np.asarray(dataset.labels, dtype=np.float32).reshape(-1)
    if len(labels) != dataset.rows:
        raise ClientError(f"Channel '{name}': {len(labels)} labels for {dataset.rows} records; each record needs exactly one label")
    features = dataset.features
    if feature_dim is not None and dataset.feature_dim != feature_dim:
        raise ClientError(
            f"Channel '{name}': the data has {dataset.feature_dim} features but feature_dim is {feature_dim}; "
            'set feature_dim to the number of feature columns (or auto)'
        )
    values = features.data if dataset.is_sparse else features
    if not np.isfinite(values).all():
        row, column = _first_bad(features, dataset.is_sparse)
        raise ClientError(f"Channel '{name}': the features contain NaN or infinite values (first at record {row}, feature {column}); Linear Learner needs finite numbers")
    if not np.isfinite(labels).all():
        row = int(np.flatnonzero(~np.isfinite(labels))[0])
        raise ClientError(f"Channel '{name}': the labels contain NaN or infinite values (first at record {row})")
    if predictor_type == 'binary_classifier':
        bad = np.flatnonzero((labels != 0) & (labels != 1))
        if len(bad):
            raise ClientError(f"Channel '{name}': binary_classifier labels must be 0 or 1; record {int(bad[0])} has label {float(labels[bad[0]])!r}")
    elif predictor_type == 'multiclass_classifier':
        bad = np.flatnonzero((labels != np.floor(labels)) | (labels < 0) | (labels >= num_classes))
        if len(bad):
            raise ClientError(
                f"Channel '{name}': multiclass_classifier labels must be integers in [0, {num_classes - 1}] (num_classes={num_classes}); "
                f'record {int(bad[0])} has label {float(labels[bad[0]])!r}'
            )
    return features, labels


def _first_bad(features, sparse):
    if sparse:
        coo = features.tocoo()
        i = int(np.flatnonzero(~np.isfinite(coo.data))[0])
        return int(coo.row[i]), int(coo.col[i])
    rows, cols = np.nonzero(~np.isfinite(features))
    return int(rows[0]), int(cols[0])
