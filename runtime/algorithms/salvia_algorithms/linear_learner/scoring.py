"""Evaluation: the scores Linear Learner reports (by SageMaker's names) and the binary
classifier's threshold choice, vectorised over models where training needs it."""

import numpy as np

BINARY_CRITERIA = ('accuracy', 'f_beta', 'precision_at_target_recall', 'recall_at_target_precision', 'loss_function')


def best_thresholds(scores, labels, criterion, beta=1.0, target_recall=0.8, target_precision=0.8):
    """For each model (column of ``scores``, shape (n, M)) the threshold that maximises
    ``criterion`` on these labels, and the criterion's value there. Predicted label is
    ``score >= threshold``. Returns (thresholds (M,), values (M,)); a model that cannot reach a
    target gets value 0 and the threshold of its best attempt."""
    n, models = scores.shape
    order = np.argsort(-scores, axis=0, kind='stable')
    ranked = np.take_along_axis(scores, order, axis=0)
    positives = labels[order].astype(np.float64)
    tp = np.cumsum(positives, axis=0)
    fp = np.cumsum(1.0 - positives, axis=0)
    total_pos = float(labels.sum())
    total_neg = n - total_pos
    precision = tp / np.maximum(tp + fp, 1.0)
    recall = tp / max(total_pos, 1.0)
    if criterion == 'accuracy':
        value = (tp + (total_neg - fp)) / max(n, 1)
    elif criterion == 'f_beta':
        b2 = beta * beta
        value = (1 + b2) * precision * recall / np.maximum(b2 * precision + recall, 1e-12)
    elif criterion == 'precision_at_target_recall':
        value = np.where(recall >= target_recall, precision, 0.0)
    elif criterion == 'recall_at_target_precision':
        value = np.where(precision >= target_precision, recall, 0.0)
    else:
        raise AssertionError(criterion)
    # Only cut between distinct scores: equal scores get the same label.
    distinct = np.ones_like(ranked, dtype=bool)
    distinct[:-1] = ranked[:-1] != ranked[1:]
    value = np.where(distinct, value, -1.0)
    best = np.argmax(value, axis=0)
    cols = np.arange(models)
    upper = ranked[best, cols]
    lower = np.where(best + 1 < n, ranked[np.minimum(best + 1, n - 1), cols], upper)
    thresholds = np.where(best + 1 < n, (upper + lower) / 2.0, upper)
    return thresholds, np.maximum(value[best, cols], 0.0)


def roc_auc(scores, labels):
    """Area under the ROC curve (Mann-Whitney with average ranks for ties); 0.5 when one class
    is missing."""
    from scipy.stats import rankdata

    pos = labels == 1
    n_pos = int(pos.sum())
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return 0.5
    ranks = rankdata(scores)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def binary_scores(objective_name, objective, probabilities, labels, threshold, beta):
    """[(name, value, kind)] for a binary classifier, kind 'loss' or 'score', in the log's order."""
    predicted = probabilities >= threshold
    actual = labels == 1
    tp = float(np.sum(predicted & actual))
    fp = float(np.sum(predicted & ~actual))
    fn = float(np.sum(~predicted & actual))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    b2 = beta * beta
    f_beta = (1 + b2) * precision * recall / (b2 * precision + recall) if precision + recall else 0.0
    return [
        (objective_name, objective, 'loss'),
        ('binary_classification_accuracy', float(np.mean(predicted == actual)), 'score'),
        (f'binary_f_{beta:.3f}', f_beta, 'score'),
        ('precision', precision, 'score'),
        ('recall', recall, 'score'),
        ('roc_auc_score', roc_auc(probabilities, labels), 'score'),
    ]


def multiclass_scores(objective_name, objective, probabilities, labels, top_k, beta):
    """[(name, value, kind)] for a multiclass classifier."""
    n, classes = probabilities.shape
    y = labels.astype(np.int64)
    predicted = np.argmax(probabilities, axis=1)
    true_p = probabilities[np.arange(n), y]
    rank = (probabilities > true_p[:, None]).sum(axis=1) + 1  # 1-based rank of the true class
    recalls, precisions = [], []
    for k in range(classes):
        actual = y == k
        chosen = predicted == k
        hit = float(np.sum(actual & chosen))
        if actual.any():
            recalls.append(hit / actual.sum())
        precisions.append(hit / chosen.sum() if chosen.any() else 0.0)
    macro_recall = float(np.mean(recalls)) if recalls else 0.0
    macro_precision = float(np.mean(precisions))
    b2 = beta * beta
    denominator = b2 * macro_precision + macro_recall
    macro_f = (1 + b2) * macro_precision * macro_recall / denominator if denominator else 0.0
    k = min(top_k, classes)
    return [
        (objective_name, objective, 'loss'),
        ('multiclass_accuracy', float(np.mean(predicted == y)), 'score'),
        (f'multiclass_top_k_accuracy_{top_k}', float(np.mean(rank <= k)), 'score'),
        ('dcg', float(np.mean(1.0 / np.log2(1.0 + rank))), 'score'),
        ('macro_recall', macro_recall, 'score'),
        ('macro_precision', macro_precision, 'score'),
        (f'macro_f_{beta:.3f}', macro_f, 'score'),
        ('multiclass_balanced_accuracy', macro_recall, 'score'),
        ('multiclass_log_loss', float(np.mean(-np.log(np.maximum(true_p, 1e-15)))), 'score'),
    ]


def regression_scores(objective_name, objective, predictions, labels):
    """[(name, value, kind)] for a regressor."""
    r = predictions - labels
    mse = float(np.mean(r * r))
    variance = float(np.var(labels))
    return [
        (objective_name, objective, 'loss'),
        ('mse', mse, 'loss'),
        ('rmse', float(np.sqrt(mse)), 'loss'),
        ('absolute_loss', float(np.mean(np.abs(r))), 'loss'),
        ('r2', 1.0 - mse / variance if variance > 0 else 0.0, 'score'),
    ]
