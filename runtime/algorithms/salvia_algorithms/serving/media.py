"""Content-Type parsing and Accept negotiation shared by every handler."""

from .errors import HttpError


def media_type(header):
    """``'text/csv; label_size=0'`` → ``('text/csv', {'label_size': '0'})``; type and parameter
    names lower-cased, quotes stripped; None or '' → ('', {})."""
    if not header:
        return '', {}
    parts = header.split(';')
    params = {}
    for part in parts[1:]:
        if '=' in part:
            key, value = part.split('=', 1)
            params[key.strip().lower()] = value.strip().strip('"')
    return parts[0].strip().lower(), params


def negotiate(accept, supported, default):
    """Picks the response media type: ``accept`` may list several types (``a/b, c/d;q=0.5``, in
    preference order by q then position); None, '' or ``*/*`` → ``default``. Raises HttpError(406)
    naming the accepted types when none is supported."""
    if not accept or accept.strip() == '*/*':
        return default
    candidates = []
    for index, item in enumerate(accept.split(',')):
        kind, params = media_type(item)
        try:
            quality = float(params.get('q', '1'))
        except ValueError:
            quality = 1.0
        if kind and quality > 0:
            candidates.append((-quality, index, kind))
    for _, _, kind in sorted(candidates):
        if kind == '*/*':
            return default
        if kind in supported:
            return kind
        if kind.endswith('/*'):
            prefix = kind[:-1]
            if default.startswith(prefix):
                return default
            for option in supported:
                if option.startswith(prefix):
                    return option
    raise HttpError(406, f'Accept type {accept} is not supported; supported: {", ".join(supported)}')
