"""The metrics the SageMaker XGBoost container adds to xgboost's own (accuracy, f1, mse, r2 …),
computed with numpy from the transformed predictions xgboost hands a ``custom_metric``."""

import numpy as np


def _classes(preds, objective):
    """Predicted class per row: argmax of softprob rows, the value of softmax/hinge, p > 0.5 for
    probabilities, margin > 0 for logitraw; regression predictions are rounded."""
    preds = np.asarray(preds)
    if preds.ndim == 2:
        return np.argmax(preds, axis=1).astype(np.float64)
    if objective in ('multi:softmax', 'binary:hinge'):
        return preds.astype(np.float64)
    if objective == 'binary:logitraw':
        return (preds > 0).astype(np.float64)
    if objective in ('binary:logistic', 'reg:logistic'):
        return (preds > 0.5).astype(np.float64)
    return np.round(preds).astype(np.float64)


def _confusion(labels, predicted):
    classes = np.union1d(np.unique(labels), np.unique(predicted))
    tp = np.array([np.sum((predicted == c) & (labels == c)) for c in classes], dtype=np.float64)
    fp = np.array([np.sum((predicted == c) & (labels != c)) for c in classes], dtype=np.float64)
    fn = np.array([np.sum((predicted != c) & (labels == c)) for c in classes], dtype=np.float64)
    return classes, tp, fp, fn


def _div(a, b):
    return np.divide(a, b, out=np.zeros_like(np.asarray(a, dtype=np.float64)), where=np.asarray(b) != 0)


def _binary_prf(labels, predicted):
    tp = float(np.sum((predicted == 1) & (labels == 1)))
    fp = float(np.sum((predicted == 1) & (labels != 1)))
    fn = float(np.sum((predicted != 1) & (labels == 1)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def compute(name, preds, labels, objective):
    """One container metric's value."""
    labels = np.asarray(labels, dtype=np.float64)
    if name in ('mse', 'r2'):
        values = np.asarray(preds, dtype=np.float64)
        if values.ndim == 2:
            values = np.argmax(values, axis=1).astype(np.float64)
        error = float(np.mean((values - labels) ** 2)) if len(labels) else 0.0
        if name == 'mse':
            return error
        variance = float(np.var(labels))
        return 1.0 - error / variance if variance else 0.0
    predicted = _classes(preds, objective)
    if name == 'accuracy':
        return float(np.mean(predicted == labels)) if len(labels) else 0.0
    if name in ('precision', 'recall', 'f1_binary'):
        precision, recall, f1 = _binary_prf(labels, predicted)
        return {'precision': precision, 'recall': recall, 'f1_binary': f1}[name]
    classes, tp, fp, fn = _confusion(labels, predicted)
    if name == 'balanced_accuracy':
        present = np.isin(classes, labels)
        return float(np.mean(_div(tp, tp + fn)[present])) if present.any() else 0.0
    if name in ('precision_micro', 'recall_micro'):
        return float(tp.sum() / (tp.sum() + (fp.sum() if name == 'precision_micro' else fn.sum()))) if len(labels) else 0.0
    precision = _div(tp, tp + fp)
    recall = _div(tp, tp + fn)
    if name == 'precision_macro':
        return float(np.mean(precision))
    if name == 'recall_macro':
        return float(np.mean(recall))
    f1 = _div(2 * precision * recall, precision + recall)
    if name == 'f1_macro':
        return float(np.mean(f1))
    if name == 'f1':
        if len(classes) <= 2 and set(classes.tolist()) <= {0.0, 1.0}:
            return _binary_prf(labels, predicted)[2]
        support = np.array([np.sum(labels == c) for c in classes], dtype=np.float64)
        return float(np.sum(f1 * support) / support.sum()) if support.sum() else 0.0
    raise ValueError(f'unknown metric {name}')


def custom_metric(names, objective):
    """A ``custom_metric`` for xgboost.train returning [(name, value), …] for the container's
    metrics, or None when none is asked for."""
    if not names:
        return None

    def evaluate(preds, dmatrix):
        labels = dmatrix.get_label()
        return [(name, compute(name, preds, labels, objective)) for name in names]

    return evaluate
