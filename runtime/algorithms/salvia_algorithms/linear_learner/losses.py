"""Linear Learner's loss functions: per-example value and gradient with respect to the score,
vectorised over a mini-batch and every model trained in parallel.

Scores have shape (B, M, K): B examples, M models, K outputs (1 for binary and regression, the
number of classes for multiclass). Labels have shape (B,) and broadcast as (B, 1, 1); multiclass
labels are class indices.
"""

import numpy as np


# predictor_type -> (loss for 'auto', losses allowed) as SageMaker documents them.
ALLOWED = {
    'binary_classifier': ('logistic', ('logistic', 'hinge_loss')),
    'multiclass_classifier': ('softmax_loss', ('softmax_loss',)),
    'regressor': (
        'squared_loss',
        (
            'squared_loss',
            'absolute_loss',
            'eps_insensitive_squared_loss',
            'eps_insensitive_absolute_loss',
            'quantile_loss',
            'huber_loss',
        ),
    ),
}

# The name the log gives each loss (``#quality_metric: … train <name> <loss>=…``).
OBJECTIVE_NAMES = {
    'logistic': 'binary_classification_cross_entropy_objective',
    'hinge_loss': 'binary_classification_hinge_loss_objective',
    'softmax_loss': 'multiclass_cross_entropy_objective',
    'squared_loss': 'mse_objective',
    'absolute_loss': 'absolute_loss_objective',
    'eps_insensitive_squared_loss': 'eps_insensitive_squared_loss_objective',
    'eps_insensitive_absolute_loss': 'eps_insensitive_absolute_loss_objective',
    'quantile_loss': 'quantile_loss_objective',
    'huber_loss': 'huber_loss_objective',
}


def sigmoid(s):
    """Numerically stable logistic function."""
    return 0.5 * (1.0 + np.tanh(0.5 * s))


def softmax(s):
    """Softmax over the last axis."""
    shifted = s - s.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


class Loss:
    """One loss with its parameters (margin, quantile, epsilon, Huber delta).

    ``value(S, y)`` and ``grad(S, y)`` return arrays shaped like S (for softmax the value has K=1)."""

    def __init__(self, name, margin=1.0, quantile=0.5, epsilon=0.01, delta=1.0):
        self.name = name
        self.objective_name = OBJECTIVE_NAMES[name]
        self.margin = margin
        self.quantile = quantile
        self.epsilon = epsilon
        self.delta = delta

    def value(self, s, y):
        name = self.name
        if name == 'softmax_loss':
            shifted = s - s.max(axis=-1, keepdims=True)
            log_z = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
            picked = np.take_along_axis(shifted, _class_index(y, s), axis=-1)
            return log_z - picked
        y = _column(y)
        if name == 'logistic':
            return np.logaddexp(0.0, s) - y * s
        if name == 'hinge_loss':
            return np.maximum(0.0, self.margin - (2.0 * y - 1.0) * s)
        r = s - y
        if name == 'squared_loss':
            return r * r
        if name == 'absolute_loss':
            return np.abs(r)
        if name == 'eps_insensitive_squared_loss':
            e = np.maximum(0.0, np.abs(r) - self.epsilon)
            return e * e
        if name == 'eps_insensitive_absolute_loss':
            return np.maximum(0.0, np.abs(r) - self.epsilon)
        if name == 'quantile_loss':
            return np.maximum(-self.quantile * r, (1.0 - self.quantile) * r)
        if name == 'huber_loss':
            a = np.abs(r)
            return np.where(a <= self.delta, 0.5 * r * r, self.delta * (a - 0.5 * self.delta))
        raise AssertionError(name)

    def grad(self, s, y):
        name = self.name
        if name == 'softmax_loss':
            p = softmax(s)
            np.put_along_axis(p, _class_index(y, s), np.take_along_axis(p, _class_index(y, s), axis=-1) - 1.0, axis=-1)
            return p
        y = _column(y)
        if name == 'logistic':
            return sigmoid(s) - y
        if name == 'hinge_loss':
            t = 2.0 * y - 1.0
            return np.where(t * s < self.margin, -t, 0.0)
        r = s - y
        if name == 'squared_loss':
            return 2.0 * r
        if name == 'absolute_loss':
            return np.sign(r)
        if name == 'eps_insensitive_squared_loss':
            return 2.0 * np.sign(r) * np.maximum(0.0, np.abs(r) - self.epsilon)
        if name == 'eps_insensitive_absolute_loss':
            return np.where(np.abs(r) > self.epsilon, np.sign(r), 0.0)
        if name == 'quantile_loss':
            return np.where(r < 0, -self.quantile, 1.0 - self.quantile)
        if name == 'huber_loss':
            return np.clip(r, -self.delta, self.delta)
        raise AssertionError(name)


def _column(y):
    return y.reshape((-1,) + (1,) * 2)


def _class_index(y, s):
    index = y.astype(np.int64).reshape((-1, 1, 1))
    return np.broadcast_to(index, s.shape[:-1] + (1,))
