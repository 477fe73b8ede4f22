"""text/csv: headerless numeric rows, label in the first column unless ``label_size=0``.

``read_csv(path, label_size=1)`` / ``parse_csv(text, label_size=1, source)`` → Dataset (dense
float32). The delimiter is sniffed from the first non-blank line (``,`` then tab, ``;``, ``|``,
whitespace). Blank lines are skipped. Ragged rows, empty cells and non-numeric cells raise
ClientError naming the source, the 1-based line and column. ``nan``/``inf`` cells parse (callers
that cannot take them use ``require_finite``).
"""

import io

import numpy as np

from ..contract import ClientError
from .dataset import Dataset, empty_dataset


def sniff_delimiter(line):
    """The delimiter of a CSV line: ',', '\\t', ';', '|' (first present) or None (whitespace)."""
    for candidate in (',', '\t', ';', '|'):
        if candidate in line:
            return candidate
    return None


def _split(line, delimiter):
    return line.split(delimiter) if delimiter is not None else line.split()


def _locate_error(lines, delimiter, source):
    """Finds the first bad line (slow path, only after numpy refused the data)."""
    expected = None
    first_line = None
    for number, line in enumerate(lines, start=1):
        line = line.rstrip('\r\n')
        if not line.strip():
            continue
        cells = _split(line, delimiter)
        if expected is None:
            expected, first_line = len(cells), number
        elif len(cells) != expected:
            return ClientError(f'{source}: line {number} has {len(cells)} columns, but line {first_line} has {expected} '
                               '(every CSV row must have the same number of columns)')
        for column, cell in enumerate(cells, start=1):
            try:
                float(cell)
            except ValueError:
                shown = cell.strip() or '<empty>'
                return ClientError(f'{source}: line {number}, column {column}: {shown!r} is not a number '
                                   '(CSV data must be numeric, without a header row)')
    return None


def _parse(lines_source, first_line, source, reopen):
    delimiter = sniff_delimiter(first_line)
    try:
        matrix = np.loadtxt(lines_source, delimiter=delimiter, dtype=np.float32, ndmin=2, comments=None, encoding='utf-8')
    except ValueError as error:
        located = _locate_error(reopen(), delimiter, source)
        raise (located or ClientError(f'{source}: cannot parse as CSV: {error}')) from None
    return matrix


def _split_label(matrix, label_size, source):
    if label_size == 0:
        return Dataset(matrix, None)
    if label_size != 1:
        raise ClientError(f'{source}: label_size={label_size} is not supported (only 0 or 1)')
    if matrix.shape[1] < 2:
        raise ClientError(f'{source}: CSV rows need a label in the first column and at least one feature; found {matrix.shape[1]} column(s)')
    return Dataset(np.ascontiguousarray(matrix[:, 1:]), np.ascontiguousarray(matrix[:, 0]))


def _first_nonblank(lines):
    for line in lines:
        if line.strip():
            return line
    return None


def read_csv(path, label_size=1, source=None):
    """Reads one CSV file. ``source`` names it in errors (default: the path)."""
    source = source or path

    def reopen():
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.readlines()

    try:
        with open(path, encoding='utf-8') as f:
            first = _first_nonblank(f)
    except UnicodeDecodeError:
        raise ClientError(f'{source}: not UTF-8 text; is it really text/csv?') from None
    if first is None:
        return empty_dataset(with_labels=label_size > 0)
    try:
        matrix = _parse(path, first, source, reopen)
    except UnicodeDecodeError:
        raise ClientError(f'{source}: not UTF-8 text; is it really text/csv?') from None
    return _split_label(matrix, label_size, source)


def parse_csv(text, label_size=0, source='request'):
    """Parses CSV text (str or bytes) — inference bodies have no label (``label_size=0``)."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode('utf-8')
        except UnicodeDecodeError:
            raise ClientError(f'{source}: not UTF-8 text; is it really text/csv?') from None
    first = _first_nonblank(text.splitlines())
    if first is None:
        return empty_dataset(with_labels=label_size > 0)
    matrix = _parse(io.StringIO(text), first, source, lambda: text.splitlines())
    return _split_label(matrix, label_size, source)


def require_finite(matrix, source):
    """Raises ClientError naming the first row with NaN or infinity (row numbers 0-based)."""
    import scipy.sparse  # noqa: PLC0415

    values = matrix.data if scipy.sparse.issparse(matrix) else matrix
    if np.isfinite(values).all():
        return
    if scipy.sparse.issparse(matrix):
        bad = int(np.flatnonzero(~np.isfinite(matrix.data))[0])
        row = int(np.searchsorted(matrix.indptr, bad, side='right') - 1)
    else:
        finite = np.isfinite(matrix)
        row = int(np.flatnonzero(~(finite.all(axis=1) if finite.ndim > 1 else finite))[0])
    raise ClientError(f'{source}: row {row} contains NaN or infinity, which this algorithm does not accept')
