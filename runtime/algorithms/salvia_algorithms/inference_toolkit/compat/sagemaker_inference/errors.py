"""The toolkit's errors: raising one answers its status code and message."""

from salvia_algorithms.inference_toolkit.errors import InferenceToolkitError, UnsupportedFormatError


class BaseInferenceToolkitError(InferenceToolkitError):
    def __init__(self, status_code, message, phrase=None):
        super().__init__(status_code, message)
        self.phrase = phrase


class GenericInferenceToolkitError(BaseInferenceToolkitError):
    def __init__(self, status_code, message=None, phrase=None):
        super().__init__(status_code, message or phrase or 'Invalid Request', phrase)


__all__ = ['BaseInferenceToolkitError', 'GenericInferenceToolkitError', 'UnsupportedFormatError']
