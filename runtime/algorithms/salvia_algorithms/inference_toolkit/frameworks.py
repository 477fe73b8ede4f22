"""Default handler functions per framework, used for whatever the user's script does not define
(as the framework serving containers do).

- ``sklearn``: model_fn loads ``model.joblib`` / ``model.pkl`` (or the only ``*.joblib`` / ``*.pkl``)
  with joblib; input_fn decodes json/csv/npy (float32 when numeric); predict_fn ``model.predict``
  (a 1-D input is one row).
- ``xgboost``: model_fn loads ``xgboost-model`` (or the only ``*.json`` / ``*.ubj`` / ``*.bst`` /
  ``*.model`` / ``*.pkl`` / ``*.joblib``): a saved Booster, or a pickled Booster / sklearn-API model;
  input_fn decodes text/csv, text/libsvm, application/json(lines), recordio-protobuf into a DMatrix;
  predict_fn ``booster.predict``; default Accept text/csv. With no user function at all, requests are
  answered exactly as the built-in XGBoost algorithm answers them.
- ``pytorch``: model_fn ``torch.jit.load`` of ``model.pt`` / ``model.pth`` (TorchScript; a plain state
  dict needs a model_fn); input_fn → float tensor; predict_fn in eval mode under no_grad; output_fn
  → lists, encoded with the first supported type in Accept.
- anything else (tensorflow, huggingface, mxnet): input/output codecs only; model_fn is required.
"""

import os
import pickle

from . import codecs
from .errors import ModelLoadError


def _files(model_dir, suffixes):
    found = []
    for root, dirs, names in os.walk(model_dir):
        dirs[:] = [d for d in dirs if d != 'code' and not d.startswith('.')]
        found.extend(os.path.join(root, n) for n in sorted(names) if n.endswith(suffixes) and not n.startswith('.'))
    return found


def _model_file(model_dir, preferred, suffixes, what):
    for name in preferred:
        candidate = os.path.join(model_dir, name)
        if os.path.isfile(candidate):
            return candidate
    candidates = _files(model_dir, suffixes)
    if len(candidates) == 1:
        return candidates[0]
    listing = ', '.join(sorted(os.path.relpath(f, model_dir) for f in _files(model_dir, ''))) or 'nothing'
    raise ModelLoadError(
        f'Please provide a model_fn implementation: the default {what} model_fn looks for {" or ".join(preferred)} '
        f'(or exactly one {"/".join("*" + s for s in suffixes)} file) in {model_dir}, which holds {listing}'
    )


def _numeric(array):
    try:
        return array.astype('float32')
    except (TypeError, ValueError):
        return array


class Generic:
    """Codecs only: input_fn decodes, output_fn encodes; model_fn and predict_fn are the user's."""

    name = 'generic'
    default_accept = codecs.JSON

    def model_fn(self, model_dir):
        raise ModelLoadError(f'Please provide a model_fn implementation in {os.path.join(model_dir, "code")} (inference.py): '
                             'this framework has no default model loader')

    def input_fn(self, input_data, content_type):
        return codecs.decode(input_data, content_type)

    def predict_fn(self, data, model):
        if hasattr(model, 'predict'):
            return model.predict(data)
        if callable(model):
            return model(data)
        raise TypeError('Please provide a predict_fn implementation: the model has no predict method and is not callable')

    def output_fn(self, prediction, accept):
        return codecs.encode_first_supported(prediction, accept)


class SKLearn(Generic):
    name = 'sklearn'

    def model_fn(self, model_dir):
        file = _model_file(model_dir, ('model.joblib', 'model.pkl'), ('.joblib', '.pkl', '.pickle'), 'scikit-learn')
        try:
            import joblib  # noqa: PLC0415
        except ImportError:
            with open(file, 'rb') as f:
                return pickle.load(f)  # noqa: S301 - the user's own model artifact
        return joblib.load(file)

    def input_fn(self, input_data, content_type):
        array = codecs.decode(input_data, content_type)
        return _numeric(array) if hasattr(array, 'astype') and not hasattr(array, 'tocsr') else array

    def predict_fn(self, data, model):
        if getattr(data, 'ndim', 2) == 1:
            data = data.reshape(1, -1)
        return model.predict(data)


class XGBoost(Generic):
    name = 'xgboost'
    default_accept = codecs.CSV

    def model_fn(self, model_dir):
        import xgboost  # noqa: PLC0415

        file = _model_file(model_dir, ('xgboost-model',), ('.json', '.ubj', '.bst', '.model', '.pkl', '.pickle', '.joblib'), 'XGBoost')
        try:
            return xgboost.Booster(model_file=file)
        except xgboost.core.XGBoostError as first:
            try:
                if file.endswith('.joblib'):
                    import joblib  # noqa: PLC0415

                    model = joblib.load(file)
                else:
                    with open(file, 'rb') as f:
                        model = pickle.load(f)  # noqa: S301 - as the XGBoost container loads old artifacts
            except Exception:  # noqa: BLE001
                raise ModelLoadError(f'{file} is neither a saved XGBoost model nor a pickled one: {first}') from None
            if isinstance(model, xgboost.Booster) or hasattr(model, 'get_booster'):
                return model
            raise ModelLoadError(f'{file} holds a pickled {type(model).__name__}, not an XGBoost model')

    def input_fn(self, input_data, content_type):
        import xgboost  # noqa: PLC0415

        from ..xgboost.requests import decode  # noqa: PLC0415

        body = input_data.encode('utf-8') if isinstance(input_data, str) else input_data
        return xgboost.DMatrix(decode(body, content_type, 0), missing=float('nan'))

    def predict_fn(self, data, model):
        import xgboost  # noqa: PLC0415

        booster = model.get_booster() if hasattr(model, 'get_booster') else model
        if not isinstance(data, xgboost.DMatrix):
            data = xgboost.DMatrix(data)
        return booster.predict(data, validate_features=False)

    def builtin_handler(self, model):
        """For a Booster with no user input/predict/output function: the built-in algorithm's
        handler and its Model (so answers match the XGBoost container's); else None."""
        import xgboost  # noqa: PLC0415

        from ..xgboost.inference import Model, XGBoostHandler, _objective  # noqa: PLC0415

        if not isinstance(model, xgboost.Booster):
            return None
        objective, num_class = _objective(model)
        return XGBoostHandler(), Model(model, objective, num_class)


class PyTorch(Generic):
    name = 'pytorch'

    def model_fn(self, model_dir):
        import torch  # noqa: PLC0415

        file = _model_file(model_dir, ('model.pt', 'model.pth'), ('.pt', '.pth'), 'PyTorch')
        try:
            return torch.jit.load(file, map_location='cpu')
        except Exception as error:  # noqa: BLE001
            raise ModelLoadError(
                f'Failed to load {file} with torch.jit.load ({type(error).__name__}: {error}). The default model_fn loads '
                'TorchScript models (torch.jit.save); a state dict or pickled module needs a model_fn in inference.py'
            ) from error

    def input_fn(self, input_data, content_type):
        import torch  # noqa: PLC0415

        array = codecs.decode(input_data, content_type)
        if codecs.media_type(content_type)[0] in codecs.UTF8_TYPES:
            return torch.FloatTensor(array)
        return torch.from_numpy(array)

    def predict_fn(self, data, model):
        import torch  # noqa: PLC0415

        if hasattr(model, 'eval'):
            model.eval()
        with torch.no_grad():
            return model(data)

    def output_fn(self, prediction, accept):
        import torch  # noqa: PLC0415

        if isinstance(prediction, torch.Tensor):
            prediction = prediction.detach().cpu().numpy().tolist()
        return codecs.encode_first_supported(prediction, accept)


_FRAMEWORKS = {'sklearn': SKLearn, 'xgboost': XGBoost, 'pytorch': PyTorch}


def defaults_for(framework):
    """The defaults of ``framework`` (``sklearn``, ``xgboost``, ``pytorch``; anything else: Generic)."""
    return _FRAMEWORKS.get(framework or '', Generic)()
