"""Content types of training channels and inference requests: parsing and aliases."""

from dataclasses import dataclass, field

from ..contract import ClientError

CSV = 'text/csv'
LIBSVM = 'text/libsvm'
RECORDIO_PROTOBUF = 'application/x-recordio-protobuf'
JSON = 'application/json'
JSONLINES = 'application/jsonlines'
PARQUET = 'application/x-parquet'

ALIASES = {
    'text/x-libsvm': LIBSVM,
    'application/recordio-protobuf': RECORDIO_PROTOBUF,
    'application/x-protobuf': RECORDIO_PROTOBUF,
    'application/x-jsonlines': JSONLINES,
    'application/json-lines': JSONLINES,
    'application/jsonl': JSONLINES,
    'text/x-csv': CSV,
    'application/csv': CSV,
    'parquet': PARQUET,
}


@dataclass(frozen=True)
class ContentType:
    """A parsed content type: canonical media type (aliases resolved, lower case), parameters
    (names lower case, quotes stripped) and the header as given."""

    media_type: str
    params: dict = field(default_factory=dict)
    raw: str = ''

    def label_size(self, default):
        """The ``label_size`` parameter (``text/csv;label_size=0``) as an int, or ``default``.
        Raises ClientError when it is not a non-negative integer."""
        text = self.params.get('label_size')
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            value = -1
        if value < 0:
            raise ClientError(f"Invalid label_size '{text}' in content type '{self.raw}': expected a non-negative integer")
        return value


def parse_content_type(header, default=None):
    """``'text/csv; label_size=0'`` → ContentType('text/csv', {'label_size': '0'}). None/'' →
    ``default`` parsed (or a ContentType with media_type '' when no default)."""
    if not header or not header.strip():
        if default is None:
            return ContentType('', {}, header or '')
        return parse_content_type(default)
    parts = header.split(';')
    kind = parts[0].strip().lower()
    params = {}
    for part in parts[1:]:
        if '=' in part:
            key, value = part.split('=', 1)
            params[key.strip().lower()] = value.strip().strip('"\'')
    return ContentType(ALIASES.get(kind, kind), params, header)
