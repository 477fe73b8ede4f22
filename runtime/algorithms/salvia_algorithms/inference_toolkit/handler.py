"""The toolkit as a handler of the shared model server (``salvia_algorithms.serving``)."""

import inspect
import json
import os
import sys
import traceback
from types import SimpleNamespace

from ..serving import HttpError, media_type
from . import codecs, user_module
from .errors import ModelLoadError
from .frameworks import defaults_for


_COMPAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'compat')


def _arity(fn):
    try:
        return len([p for p in inspect.signature(fn).parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
    except (TypeError, ValueError):
        return None


def _call(fn, args, context):
    """Calls a handler function, adding ``context`` when it takes one more positional argument
    (the toolkit's optional context parameter)."""
    if _arity(fn) == len(args) + 1:
        return fn(*args, context)
    return fn(*args)


class LoadedModel:
    """One loaded model: the user's functions over the framework's defaults, and the model."""

    def __init__(self, model_dir, functions, defaults, context):
        self.model_dir = model_dir
        self.user = functions
        self.context = context
        self.transform_fn = functions.get('transform_fn')
        self.input_fn = functions.get('input_fn', defaults.input_fn)
        self.predict_fn = functions.get('predict_fn', defaults.predict_fn)
        self.output_fn = functions.get('output_fn', defaults.output_fn)
        self.model = _call(functions.get('model_fn', defaults.model_fn), (model_dir,), context)
        self.builtin = None
        if not any(k in functions for k in ('transform_fn', 'input_fn', 'predict_fn', 'output_fn')) and hasattr(defaults, 'builtin_handler'):
            self.builtin = defaults.builtin_handler(self.model)


def _body(result, accept):
    """A handler's result → (bytes, content type): a ``(body, content_type)`` tuple sets the type;
    str is UTF-8 encoded; anything else that is not bytes is JSON-encoded."""
    content_type = accept
    if isinstance(result, tuple) and len(result) == 2:
        result, content_type = result
    if isinstance(result, str):
        result = result.encode('utf-8')
    elif isinstance(result, (bytearray, memoryview)):
        result = bytes(result)
    elif not isinstance(result, bytes):
        result = json.dumps(result, default=lambda v: v.tolist() if hasattr(v, 'tolist') else str(v)).encode('utf-8')
    return result, content_type or codecs.JSON


class ToolkitHandler:
    """``load(model_dir)`` imports the model's inference script (see user_module) and runs model_fn;
    ``invoke`` runs transform_fn or input_fn → predict_fn → output_fn. Errors are answered as the
    toolkit answers them: an error with a ``status_code`` (UnsupportedFormatError: 415) with its
    status and message, anything else 500 with the message and the traceback."""

    def __init__(self, framework=None, multi_model=None):
        if _COMPAT not in sys.path:
            sys.path.append(_COMPAT)  # last: a real sagemaker_inference the user installs wins
        self.defaults = defaults_for(framework)
        if multi_model is None:
            multi_model = os.environ.get('SAGEMAKER_MULTI_MODEL', '').lower() == 'true'
        self.multi_model = multi_model

    def load(self, model_dir):
        directory = user_module.code_dir(model_dir, self.multi_model)
        functions = user_module.load(directory, unique=self.multi_model)
        if not functions and os.environ.get('SAGEMAKER_PROGRAM'):
            print(f'No {user_module.program()} in {directory}: using the {self.defaults.name} defaults', file=sys.stderr, flush=True)
        context = SimpleNamespace(model_dir=model_dir, code_dir=directory, system_properties={'model_dir': model_dir, 'gpu_id': None})
        return LoadedModel(model_dir, functions, self.defaults, context)

    def invoke(self, loaded, body, content_type, accept):
        if loaded.builtin is not None:
            handler, model = loaded.builtin
            return handler.invoke(model, body, content_type, accept)
        accept = accept or self.defaults.default_accept
        data = body
        if media_type(content_type)[0] in codecs.UTF8_TYPES:
            try:
                data = body.decode('utf-8')
            except UnicodeDecodeError as error:
                raise HttpError(500, f'The request body is not UTF-8 text: {error}') from None
        try:
            if loaded.transform_fn is not None:
                result = _call(loaded.transform_fn, (loaded.model, data, content_type, accept), loaded.context)
            else:
                features = _call(loaded.input_fn, (data, content_type), loaded.context)
                prediction = _call(loaded.predict_fn, (features, loaded.model), loaded.context)
                result = _call(loaded.output_fn, (prediction, accept), loaded.context)
            return _body(result, accept)
        except HttpError:
            raise
        except Exception as error:  # noqa: BLE001 - every handler failure becomes the answer
            status = getattr(error, 'status_code', None)
            message = getattr(error, 'message', None) or str(error) or type(error).__name__
            trace = traceback.format_exc()
            print(trace, file=sys.stderr, flush=True)
            if isinstance(status, int) and 400 <= status < 600:
                raise HttpError(status, message) from None
            raise HttpError(500, f'{message}\n{trace}') from None


__all__ = ['ToolkitHandler', 'LoadedModel', 'ModelLoadError']
