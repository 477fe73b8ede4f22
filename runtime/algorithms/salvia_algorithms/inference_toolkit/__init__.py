"""Salvia's framework inference toolkit: SageMaker's inference toolkit behaviour (the scikit-learn,
XGBoost and PyTorch serving containers) as a handler of the shared model server
(``salvia_algorithms.serving``), run by the platform for framework images as
``<framework venv python> -m salvia_algorithms.inference_toolkit serve``.

Per model (``/opt/ml/model``; in multi-model mode each ``/opt/ml/models/<name>/model`` loaded by
POST /models):
  1. the code directory: ``<model>/code`` (the SDK's repacked model.tar.gz), or in single-model mode
     SAGEMAKER_SUBMIT_DIRECTORY (a local directory or .tar.gz; ``/opt/ml/...`` is rebased under
     SAGEMAKER_BASE_DIR; ``s3://`` must be staged by the platform);
  2. its ``requirements.txt`` is pip-installed into the running interpreter (the framework's venv);
  3. SAGEMAKER_PROGRAM (default ``inference.py``) is imported with the code directory on sys.path;
     its ``model_fn(model_dir)``, ``input_fn(input_data, content_type)``, ``predict_fn(data, model)``,
     ``output_fn(prediction, accept)`` — or ``transform_fn(model, input_data, content_type,
     accept)`` — replace the framework's defaults (see frameworks.py); each may take an extra
     ``context`` argument. ``input_data`` is str for application/json and text/csv, bytes otherwise.
     output_fn/transform_fn may return ``(body, content_type)``.
Requests: Accept absent or ``*/*`` → SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, else application/json
(text/csv for XGBoost). Errors: an unsupported content type or accept in the default codecs → 415
(the toolkit's message); an exception with ``status_code`` → that status; any other → 500 with the
message and traceback. A model that fails to load: single-model mode exits 1 (the endpoint never
gets healthy), multi-model mode answers 500 to POST /models (507 on MemoryError).

SAGEMAKER_MODEL_SERVER_WORKERS: unset (or multi-model mode), one process answers requests on threads
(handler functions may run concurrently); > 1 in single-model mode, that many pre-forked worker
processes share the port over the model loaded once (serving/workers.py). It is also reported as
MaxConcurrentTransforms by GET /execution-parameters.
"""

from .errors import InferenceToolkitError, ModelLoadError, UnsupportedFormatError
from .handler import ToolkitHandler

__all__ = ['ToolkitHandler', 'InferenceToolkitError', 'ModelLoadError', 'UnsupportedFormatError']
