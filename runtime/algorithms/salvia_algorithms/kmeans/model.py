"""The K-Means model artifact: ``/opt/ml/model/model_algo-1`` (SageMaker's file name; its content
is Salvia's own, since SageMaker's is opaque). A UTF-8 JSON document::

    {"format": "salvia-kmeans", "version": 1, "k": 3, "feature_dim": 2,
     "centers": [[1.5, -2.0], …],          # k rows of feature_dim float32 values (shortest repr)
     "hyperparameters": {…},               # the parsed hyperparameters the model was trained with
     "train_msd": 0.93}                     # mean squared distance of the training rows

Reading the centers back as float32 gives exactly the values training produced."""

import json
import os

import numpy as np

FILE_NAME = 'model_algo-1'
FORMAT = 'salvia-kmeans'


class KMeansModel:
    """k centers (float32, (k, feature_dim)) and what they were trained with."""

    def __init__(self, centers, hyperparameters=None, train_msd=None):
        self.centers = np.asarray(centers, dtype=np.float32)
        self.hyperparameters = hyperparameters or {}
        self.train_msd = train_msd
        self._centers64 = self.centers.astype(np.float64)
        self._norms = (self._centers64 ** 2).sum(axis=1)

    @property
    def k(self):
        return self.centers.shape[0]

    @property
    def feature_dim(self):
        return self.centers.shape[1]

    def predict(self, features):
        """(closest cluster index int64 (n,), Euclidean distance float32 (n,)) for a dense or
        sparse float matrix."""
        if not isinstance(features, np.ndarray):
            features = np.asarray(features.todense())
        x = np.asarray(features, dtype=np.float64)
        d = (x * x).sum(axis=1)[:, None] - 2.0 * (x @ self._centers64.T) + self._norms[None, :]
        d = np.maximum(d, 0.0)
        closest = d.argmin(axis=1)
        return closest, np.sqrt(d[np.arange(len(closest)), closest]).astype(np.float32)


def save(model, model_dir):
    os.makedirs(model_dir, exist_ok=True)
    document = {
        'format': FORMAT,
        'version': 1,
        'k': model.k,
        'feature_dim': model.feature_dim,
        'centers': [[float(str(v)) for v in row] for row in model.centers],
        'hyperparameters': model.hyperparameters,
        'train_msd': model.train_msd,
    }
    path = os.path.join(model_dir, FILE_NAME)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(document, f)
    return path


def load(model_dir):
    """Reads ``model_algo-1``; ValueError when it is missing or not this format."""
    path = os.path.join(model_dir, FILE_NAME)
    if not os.path.exists(path):
        raise ValueError(f'{path} not found: the model directory holds no K-Means model')
    try:
        with open(path, encoding='utf-8') as f:
            document = json.load(f)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f'{path} is not a Salvia K-Means model ({error})') from None
    if not isinstance(document, dict) or document.get('format') != FORMAT:
        raise ValueError(f'{path} is not a Salvia K-Means model (format {document.get("format") if isinstance(document, dict) else None!r})')
    centers = np.asarray(document['centers'], dtype=np.float32)
    if centers.ndim != 2 or centers.shape != (document['k'], document['feature_dim']):
        raise ValueError(f'{path}: centers do not have shape [k, feature_dim]')
    return KMeansModel(centers, document.get('hyperparameters'), document.get('train_msd'))
