"""The model artifact: ``model_algo-1`` in /opt/ml/model (so model.tar.gz holds that one file, as
SageMaker's Linear Learner does). Where SageMaker's file is an opaque MXNet archive, ours is a
zip archive with two members:

- ``model.json``: ``{"format": "salvia-linear-learner", "version": 1, "predictor_type": …,
  "feature_dim": D, "num_classes": K (multiclass) or null, "loss": …, "threshold": t (binary)
  or null, "score": "probability" | "raw", "hyperparameters": {…}}``
- ``model.npz``: ``weights`` float32 (D, K) and ``bias`` float32 (K,), in the space of the raw
  input features (normalisation is folded in), K = 1 except for multiclass.

Prediction: ``s = x · weights + bias``. binary_classifier: score = sigmoid(s) (logistic loss) or
s (hinge loss), predicted_label = score >= threshold; multiclass_classifier: score =
softmax(s), predicted_label = argmax; regressor: score = s.
"""

import io
import json
import os
import zipfile
from dataclasses import dataclass, field

import numpy as np

from .losses import sigmoid, softmax

FILE_NAME = 'model_algo-1'
FORMAT = 'salvia-linear-learner'


@dataclass
class LinearModel:
    """A trained linear model in raw feature space."""

    predictor_type: str
    weights: np.ndarray  # (D, K)
    bias: np.ndarray  # (K,)
    loss: str
    threshold: float | None = None
    num_classes: int | None = None
    hyperparameters: dict = field(default_factory=dict)

    @property
    def feature_dim(self):
        return int(self.weights.shape[0])

    @property
    def score_kind(self):
        return 'raw' if self.predictor_type == 'regressor' or self.loss == 'hinge_loss' else 'probability'

    def raw(self, x):
        """``x · weights + bias`` for a dense (n, D) array or a scipy sparse matrix."""
        return np.asarray(x @ self.weights, dtype=np.float64) + self.bias

    def predict(self, x):
        """(scores, predicted_labels): scores (n,) or (n, K) for multiclass; labels (n,) or None
        for a regressor."""
        s = self.raw(x)
        if self.predictor_type == 'multiclass_classifier':
            p = softmax(s)
            return p, np.argmax(p, axis=1)
        s = s[:, 0]
        if self.predictor_type == 'regressor':
            return s, None
        score = s if self.loss == 'hinge_loss' else sigmoid(s)
        return score, (score >= self.threshold).astype(np.int64)


def save(model, directory):
    """Writes ``<directory>/model_algo-1``."""
    os.makedirs(directory, exist_ok=True)
    meta = {
        'format': FORMAT,
        'version': 1,
        'predictor_type': model.predictor_type,
        'feature_dim': model.feature_dim,
        'num_classes': model.num_classes,
        'loss': model.loss,
        'threshold': model.threshold,
        'score': model.score_kind,
        'hyperparameters': model.hyperparameters,
    }
    arrays = io.BytesIO()
    np.savez(arrays, weights=model.weights.astype(np.float32), bias=model.bias.astype(np.float32))
    with zipfile.ZipFile(os.path.join(directory, FILE_NAME), 'w', zipfile.ZIP_DEFLATED) as archive:
        archive.writestr('model.json', json.dumps(meta, indent=2, sort_keys=True))
        archive.writestr('model.npz', arrays.getvalue())


def load(directory):
    """Reads the model from a directory holding ``model_algo-1`` (or any ``model_algo-*``).
    Raises ValueError naming what is missing or malformed."""
    path = os.path.join(directory, FILE_NAME)
    if not os.path.exists(path):
        candidates = sorted(n for n in os.listdir(directory) if n.startswith('model_algo-')) if os.path.isdir(directory) else []
        if not candidates:
            raise ValueError(f'no Linear Learner model ({FILE_NAME}) in {directory}')
        path = os.path.join(directory, candidates[0])
    try:
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read('model.json'))
            arrays = np.load(io.BytesIO(archive.read('model.npz')))
            weights, bias = arrays['weights'], arrays['bias']
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as error:
        raise ValueError(f'{path} is not a Salvia Linear Learner model: {error}') from error
    if meta.get('format') != FORMAT:
        raise ValueError(f'{path} is not a Salvia Linear Learner model (format {meta.get("format")!r})')
    return LinearModel(
        predictor_type=meta['predictor_type'],
        weights=weights.astype(np.float64),
        bias=bias.astype(np.float64),
        loss=meta['loss'],
        threshold=meta.get('threshold'),
        num_classes=meta.get('num_classes'),
        hyperparameters=meta.get('hyperparameters') or {},
    )
