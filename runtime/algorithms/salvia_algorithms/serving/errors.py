"""The one exception a handler raises to answer a client error."""


class HttpError(Exception):
    """An HTTP answer other than 200: ``HttpError(415, 'Content type text/foo is not supported')``.
    ``status`` 204 sends no body."""

    def __init__(self, status, message=''):
        super().__init__(message)
        self.status = status
        self.message = message
