"""What every reader returns."""

from dataclasses import dataclass

import numpy as np


@dataclass
class Dataset:
    """Rows read from one or more files.

    ``features``: float32 ``numpy.ndarray`` of shape (rows, feature_dim), or a float32
    ``scipy.sparse.csr_matrix`` for sparse sources (libsvm, sparse protobuf records).
    ``labels``: float32 array of shape (rows,), or None when the source had no labels.
    """

    features: object
    labels: object = None

    @property
    def rows(self):
        return self.features.shape[0]

    @property
    def feature_dim(self):
        return self.features.shape[1]

    @property
    def is_sparse(self):
        return not isinstance(self.features, np.ndarray)

    def dense(self):
        """Features as a dense float32 ndarray (converts sparse)."""
        return self.features if isinstance(self.features, np.ndarray) else np.asarray(self.features.todense(), dtype=np.float32)


def empty_dataset(feature_dim=0, with_labels=False):
    """A Dataset with no rows."""
    return Dataset(np.zeros((0, feature_dim), dtype=np.float32), np.zeros(0, dtype=np.float32) if with_labels else None)
