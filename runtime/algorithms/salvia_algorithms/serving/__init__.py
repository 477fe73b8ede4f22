"""One HTTP model server for every algorithm (and, later, framework models): SageMaker's
inference container contract on stdlib ``http.server``.

Routes (single-model mode, model in ``/opt/ml/model``):
  GET /ping                   200 once the model is loaded
  POST /invocations           handler.invoke(...)
  GET /execution-parameters   handler.execution_parameters() or the default
                              {"MaxConcurrentTransforms": <workers>, "BatchStrategy": "MULTI_RECORD",
                              "MaxPayloadInMB": 6}
Multi-model mode (``SAGEMAKER_MULTI_MODEL=true``): POST /models {"model_name","url"} (409 if loaded,
507 on MemoryError), GET /models (?limit, ?next_page_token), GET /models/<name>, DELETE
/models/<name>, POST /models/<name>/invoke; errors as MMS's {"code","type","message"}.

Environment: SAGEMAKER_BIND_TO_PORT (default 8080), SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT (used when
a request has no Accept or ``*/*``), SAGEMAKER_MODEL_SERVER_WORKERS (reported as
MaxConcurrentTransforms), SAGEMAKER_MULTI_MODEL, SAGEMAKER_MAX_REQUEST_SIZE (bytes, default 1 GiB;
larger bodies get 413), SALVIA_SERVING_ACCESS_LOG (any value: one stderr line per request).

Handler interface (any object with these attributes; a module works too)::

    class MyHandler:
        def load(self, model_dir: str) -> object:
            '''Loads the model from a directory (the unpacked model.tar.gz). Raise anything to fail:
            single-model mode then exits 1, multi-model mode answers 500 (MemoryError → 507).'''

        def invoke(self, model, body: bytes, content_type: str | None, accept: str | None)
                -> tuple[bytes, str]:
            '''One request. ``content_type`` is the raw Content-Type header (None if absent);
            ``accept`` is the raw Accept header, or SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT when the
            request sent none or ``*/*``, or None when neither is set (use your own default).
            Returns (response body, response content type). Raise
            ``HttpError(status, message)`` for client errors: 204 empty body, 400
            "Unable to evaluate payload provided: …", 406 unsupported Accept, 415 unsupported
            Content-Type. Any other exception is logged and answered 500.'''

        # optional: def execution_parameters(self) -> dict | None   (None → 404)

Helpers for handlers: ``media_type(header) -> (type, params)`` and
``negotiate(accept, supported, default) -> media type`` (raises 406); for algorithms whose
requests are rows of features, subclass ``serving.feature_handler.FeatureMatrixHandler``.

Entry point: ``serve(handler)`` (blocks); tests use ``make_server(handler, port=0, model_dir=…)``.
"""

from .errors import HttpError
from .media import media_type, negotiate
from .server import available_cpus, make_server, make_server_or_exit, requested_workers, serve

__all__ = ['HttpError', 'media_type', 'negotiate', 'make_server', 'make_server_or_exit', 'serve', 'available_cpus', 'requested_workers']
