"""The toolkit's errors: each carries the HTTP status the model server answers with."""

import textwrap


class InferenceToolkitError(Exception):
    """An error answered with ``status_code`` and ``message`` (sagemaker-inference-toolkit's
    BaseInferenceToolkitError; a user script may raise one, or any exception with a
    ``status_code`` attribute, to choose the status)."""

    def __init__(self, status_code, message):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class UnsupportedFormatError(InferenceToolkitError):
    """415: a default decoder or encoder does not know the content type (the toolkit's wording)."""

    def __init__(self, content_type):
        super().__init__(
            415,
            textwrap.dedent(
                f"""\
                Content type {content_type} is not supported by this framework.

                Please implement input_fn to to deserialize the request data or an output_fn to
                serialize the response. For more information, see the SageMaker Python SDK README."""
            ),
        )


class ModelLoadError(Exception):
    """The model (or its inference script) could not be loaded; the message names the cause."""
