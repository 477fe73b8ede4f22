"""text/libsvm: ``<label> [qid:<n>] <index>:<value> …`` per line, indices zero-based
(as SageMaker XGBoost reads them). ``read_libsvm(path)`` / ``parse_libsvm(text, source)`` →
Dataset with a float32 CSR matrix (width = highest index + 1, or ``feature_dim``) and float32
labels. Bad tokens raise ClientError naming the source and the 1-based line."""

import numpy as np

from ..contract import ClientError
from .dataset import Dataset


def parse_libsvm(text, source='request', feature_dim=None, require_label=True):
    """Parses libsvm text (str or bytes). ``require_label=False`` accepts lines that start with a
    feature (inference)."""
    import scipy.sparse  # noqa: PLC0415

    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode('utf-8', 'replace')
    labels = []
    indptr = [0]
    indices = []
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.split('#', 1)[0].split()
        if not tokens:
            continue
        if ':' not in tokens[0]:
            try:
                labels.append(float(tokens[0]))
            except ValueError:
                raise ClientError(f'{source}: line {number}: label {tokens[0]!r} is not a number') from None
            start = 1
        elif require_label:
            raise ClientError(f'{source}: line {number}: missing label before {tokens[0]!r}')
        else:
            labels.append(np.nan)
            start = 0
        for token in tokens[start:]:
            key, sep, value = token.partition(':')
            if key == 'qid':
                continue
            try:
                index = int(key)
                number_value = float(value)
                if not sep or index < 0:
                    raise ValueError
            except ValueError:
                raise ClientError(f'{source}: line {number}: {token!r} is not <index>:<value>') from None
            indices.append(index)
            values.append(number_value)
        indptr.append(len(indices))
    width = (max(indices) + 1) if indices else 0
    if feature_dim is not None:
        if width > feature_dim:
            raise ClientError(f'{source}: feature index {width - 1} is outside feature_dim {feature_dim}')
        width = feature_dim
    matrix = scipy.sparse.csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
                                     shape=(len(labels), width), dtype=np.float32)
    return Dataset(matrix, np.asarray(labels, dtype=np.float32))


def read_libsvm(path, source=None, feature_dim=None):
    """Reads one libsvm file."""
    with open(path, 'rb') as f:
        return parse_libsvm(f.read(), source or path, feature_dim)


def write_libsvm(matrix, labels):
    """libsvm text for a dense or sparse matrix (zero entries omitted)."""
    import scipy.sparse  # noqa: PLC0415

    csr = scipy.sparse.csr_matrix(matrix)
    lines = []
    for i in range(csr.shape[0]):
        row = slice(csr.indptr[i], csr.indptr[i + 1])
        cells = ' '.join(f'{j}:{repr(float(v))}' for j, v in zip(csr.indices[row], csr.data[row]))
        lines.append(f'{repr(float(labels[i]))} {cells}'.rstrip())
    return '\n'.join(lines) + '\n'
