"""The toolkit's default decoders and encoders (sagemaker_inference.decoder / encoder):
application/json, text/csv and application/x-npy (plus application/x-npz → a SciPy sparse matrix)."""

import io
import json

from ..serving import media_type
from .errors import UnsupportedFormatError

JSON, CSV, NPY, NPZ = 'application/json', 'text/csv', 'application/x-npy', 'application/x-npz'
# request bodies of these types reach input_fn as str, others as bytes (as the toolkit does)
UTF8_TYPES = (JSON, CSV)
DECODABLE = (JSON, CSV, NPY, NPZ)
ENCODABLE = (JSON, CSV, NPY)


def _np():
    import numpy  # noqa: PLC0415 - only handlers that decode need numpy

    return numpy


def _text(data):
    return data.decode('utf-8') if isinstance(data, (bytes, bytearray)) else data


def _binary(data):
    return data.encode('utf-8') if isinstance(data, str) else bytes(data)


def decode(data, content_type):
    """``data`` (str or bytes) of ``content_type`` → a NumPy array (SciPy sparse matrix for npz).
    Raises UnsupportedFormatError (415) for other types; parse errors propagate (answered 500, as
    the toolkit does)."""
    np = _np()
    kind, _ = media_type(content_type)
    if kind == JSON:
        return np.array(json.loads(_text(data)))
    if kind == CSV:
        return np.genfromtxt(io.StringIO(_text(data)), delimiter=',')
    if kind == NPY:
        # the toolkit passes allow_pickle=True; object arrays are refused here (a pickle runs code)
        return np.load(io.BytesIO(_binary(data)), allow_pickle=False)
    if kind == NPZ:
        import scipy.sparse  # noqa: PLC0415

        return scipy.sparse.load_npz(io.BytesIO(_binary(data)))
    raise UnsupportedFormatError(content_type)


def _tolist(value):
    if hasattr(value, 'tolist'):
        return value.tolist()
    raise TypeError(f'Object of type {type(value).__name__} is not JSON serializable')


def encode(prediction, content_type):
    """``prediction`` (array-like) → str (json, csv) or bytes (npy) for ``content_type``; raises
    UnsupportedFormatError (415) for other types."""
    kind, _ = media_type(content_type)
    if kind == JSON:
        return json.dumps(prediction, default=_tolist)
    if kind == CSV:
        np = _np()
        stream = io.StringIO()
        np.savetxt(stream, np.asarray(prediction), delimiter=',', fmt='%s')
        return stream.getvalue()
    if kind == NPY:
        np = _np()
        stream = io.BytesIO()
        np.save(stream, np.asarray(prediction))
        return stream.getvalue()
    raise UnsupportedFormatError(content_type)


def parse_accept(accept):
    """``'text/csv, application/json;q=0.5'`` → ``['text/csv', 'application/json']`` (in order)."""
    return [media_type(part)[0] for part in (accept or '').split(',') if media_type(part)[0]]


def encode_first_supported(prediction, accept):
    """Encodes with the first type in ``accept`` that has an encoder → (body, that type); raises
    UnsupportedFormatError naming ``accept`` when none has."""
    for kind in parse_accept(accept):
        if kind in ENCODABLE:
            return encode(prediction, kind), kind
    raise UnsupportedFormatError(accept)
