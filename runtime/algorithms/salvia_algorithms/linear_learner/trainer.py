"""Mini-batch training of M linear models at once.

All models share the data pass: the weights of every model sit side by side in one (D, M*K)
matrix, so a mini-batch costs one matrix product forward and one backward whatever M is. Each
model has its own learning rate, L2 (wd), L1 and positive-example weight. After every epoch each
model is scored on the evaluation set (validation, or a training sample without one); each
model keeps its best snapshot, and training stops early when the best score over all models
stops improving.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from .losses import sigmoid
from .scoring import best_thresholds


@dataclass
class Candidate:
    """One model's training parameters."""

    learning_rate: float
    wd: float
    l1: float
    positive_example_weight_mult: float = 1.0


@dataclass
class Plan:
    """Everything the loop needs besides the data (derived from the hyperparameters)."""

    predictor_type: str
    outputs: int  # K
    loss: object  # losses.Loss
    candidates: list
    epochs: int
    mini_batch_size: int
    optimizer: str
    momentum: float = 0.0
    beta_1: float = 0.9
    beta_2: float = 0.999
    use_bias: bool = True
    bias_lr_mult: float = 1.0
    bias_wd_mult: float = 0.0
    use_lr_scheduler: bool = True
    lr_scheduler_step: int = 100
    lr_scheduler_factor: float = 0.99
    lr_scheduler_minimum_lr: float = 1e-5
    early_stopping_patience: int = 3
    early_stopping_tolerance: float = 0.001
    criterion: str = 'loss_function'
    f_beta: float = 1.0
    target_recall: float = 0.8
    target_precision: float = 0.8
    class_weights: np.ndarray | None = None
    init_method: str = 'uniform'
    init_scale: float = 0.07
    init_sigma: float = 0.01
    init_bias: float = 0.0
    seed: int = 0
    # Evaluation reports the objective in the labels' own units: outputs and labels are mapped back
    # with these, and report_loss (the loss with its parameters in raw units) is applied.
    label_shift: float = 0.0
    label_scale: float = 1.0
    report_loss: object = None


@dataclass
class Outcome:
    """The chosen model in the (normalised) training space."""

    weights: np.ndarray  # (D, K)
    bias: np.ndarray  # (K,)
    threshold: float | None
    index: int
    criterion_value: float
    epochs_run: int
    records_per_second: float = 0.0
    history: list = field(default_factory=list)


def score_space(plan, raw):
    """Raw outputs → the space thresholds live in (probability for logistic, raw for hinge)."""
    return raw if plan.loss.name == 'hinge_loss' else sigmoid(raw)


def evaluate(plan, W, b, x, y):
    """Per-model criterion (higher is better), thresholds (binary) and mean objective loss, on an
    evaluation set. W is (D, M*K), b (M*K,)."""
    models = len(plan.candidates)
    k = plan.outputs
    raw = np.asarray(x @ W, dtype=np.float32) + b
    raw = raw.reshape(len(y), models, k)
    if plan.report_loss is not None and (plan.label_scale != 1.0 or plan.label_shift != 0.0):
        labels = y * plan.label_scale + plan.label_shift
        objective = plan.report_loss.value(raw * plan.label_scale + plan.label_shift, labels).mean(axis=(0, 2))
    else:
        objective = (plan.report_loss or plan.loss).value(raw, y).mean(axis=(0, 2))
    if plan.predictor_type == 'binary_classifier' and plan.criterion != 'loss_function':
        thresholds, values = best_thresholds(
            score_space(plan, raw[:, :, 0]),
            y,
            plan.criterion,
            beta=plan.f_beta,
            target_recall=plan.target_recall,
            target_precision=plan.target_precision,
        )
        return values, thresholds, objective
    thresholds = np.full(models, 0.0 if plan.loss.name == 'hinge_loss' else 0.5)
    return -objective, thresholds, objective


def train(plan, x, y, eval_x, eval_y, on_epoch=None):
    """Runs the epochs and returns the Outcome. ``on_epoch(epoch, train_objective (M,),
    eval_objective (M,), criterion (M,), improved, seconds, records)`` is called after each
    epoch (for the log). x: (n, D) float32 array or scipy sparse matrix; y: (n,) float32."""
    rng = np.random.default_rng(plan.seed)
    n, d = x.shape
    models = len(plan.candidates)
    k = plan.outputs
    width = models * k
    if plan.init_method == 'normal':
        W = rng.normal(0.0, plan.init_sigma, size=(d, width)).astype(np.float32)
    else:
        W = rng.uniform(-plan.init_scale, plan.init_scale, size=(d, width)).astype(np.float32)
    b = np.full(width, plan.init_bias if plan.use_bias else 0.0, dtype=np.float32)

    per_model = lambda attr: np.repeat(np.array([getattr(c, attr) for c in plan.candidates], dtype=np.float32), k)
    lr = per_model('learning_rate')
    wd = per_model('wd')
    l1 = per_model('l1')
    floor = np.minimum(lr, np.float32(plan.lr_scheduler_minimum_lr))
    pos_mult = np.array([c.positive_example_weight_mult for c in plan.candidates], dtype=np.float32)

    from .optimizers import Optimizer

    optimizer = Optimizer(plan.optimizer, [W, b], momentum=plan.momentum, beta_1=plan.beta_1, beta_2=plan.beta_2)
    best_value = np.full(models, -np.inf)
    best_W = W.copy()
    best_b = b.copy()
    best_threshold = np.zeros(models)
    global_best = None
    stale = 0
    steps = 0
    batch = max(1, min(plan.mini_batch_size, n))
    history = []
    total_records = 0
    total_seconds = 0.0
    epochs_run = 0
    for epoch in range(plan.epochs):
        started = time.perf_counter()
        order = rng.permutation(n)
        loss_sum = np.zeros(models, dtype=np.float64)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            xb = x[idx]
            yb = y[idx]
            rows = len(idx)
            raw = (np.asarray(xb @ W, dtype=np.float32) + b).reshape(rows, models, k)
            grad = plan.loss.grad(raw, yb).astype(np.float32, copy=False)
            loss_sum += plan.loss.value(raw, yb).mean(axis=2).sum(axis=0)
            if plan.predictor_type == 'binary_classifier':
                weights = np.where(yb[:, None] == 1, pos_mult[None, :], np.float32(1.0))
                grad *= weights[:, :, None]
            elif plan.class_weights is not None:
                grad *= plan.class_weights[yb.astype(np.int64)][:, None, None]
            grad = grad.reshape(rows, width) * np.float32(1.0 / rows)
            gW = np.asarray(xb.T @ grad, dtype=np.float32)
            gW += wd * W
            parts = [W]
            grads = [gW]
            rates = [lr]
            if plan.use_bias:
                gb = grad.sum(axis=0) + (wd * plan.bias_wd_mult) * b
                parts.append(b)
                grads.append(gb)
                rates.append(lr * np.float32(plan.bias_lr_mult))
            optimizer.step(parts, grads, rates)
            if l1.any():
                shrink = lr * l1
                np.copysign(np.maximum(np.abs(W) - shrink, 0.0), W, out=W)
            steps += 1
            if plan.use_lr_scheduler and steps % plan.lr_scheduler_step == 0:
                lr = np.maximum(lr * np.float32(plan.lr_scheduler_factor), floor)
        seconds = time.perf_counter() - started
        total_seconds += seconds
        total_records += n
        epochs_run = epoch + 1
        values, thresholds, eval_objective = evaluate(plan, W, b, eval_x, eval_y)
        values = np.nan_to_num(values, nan=-np.inf)
        better = values > best_value
        if better.any():
            Wv = W.reshape(d, models, k)
            best_Wv = best_W.reshape(d, models, k)
            best_Wv[:, better, :] = Wv[:, better, :]
            best_b.reshape(models, k)[better] = b.reshape(models, k)[better]
            best_value[better] = values[better]
            best_threshold[better] = thresholds[better]
        epoch_best = float(values.max())
        improved = global_best is None or epoch_best - global_best > plan.early_stopping_tolerance * abs(global_best)
        if improved:
            global_best = epoch_best if global_best is None else max(global_best, epoch_best)
            stale = 0
        else:
            stale += 1
        history.append(epoch_best)
        if on_epoch:
            on_epoch(epoch, loss_sum / n, eval_objective, values, improved, stale, seconds, n)
        diverged = ~(np.isfinite(W.reshape(d, models, k)).all(axis=(0, 2)) & np.isfinite(b.reshape(models, k)).all(axis=1))
        if diverged.any():
            _freeze(diverged, k, W, b, best_W, best_b, optimizer, lr, floor)
            if diverged.all():
                break
        if stale >= plan.early_stopping_patience:
            break
    index = int(np.argmax(best_value))
    weights = best_W.reshape(d, models, k)[:, index, :].astype(np.float64)
    bias = best_b.reshape(models, k)[index].astype(np.float64)
    threshold = float(best_threshold[index]) if plan.predictor_type == 'binary_classifier' else None
    return Outcome(
        weights=weights,
        bias=bias,
        threshold=threshold,
        index=index,
        criterion_value=float(best_value[index]),
        epochs_run=epochs_run,
        records_per_second=total_records / total_seconds if total_seconds > 0 else 0.0,
        history=history,
    )


def _freeze(diverged, k, W, b, best_W, best_b, optimizer, lr, floor):
    """Models whose weights became NaN/inf stop training: back to their best snapshot, optimizer
    state cleared, learning rate 0. The other models' columns are independent and go on."""
    columns = np.repeat(diverged, k)
    W[:, columns] = np.nan_to_num(best_W[:, columns], nan=0.0, posinf=0.0, neginf=0.0)
    b[columns] = np.nan_to_num(best_b[columns], nan=0.0, posinf=0.0, neginf=0.0)
    for state in (optimizer.first, optimizer.second):
        if state:
            state[0][:, columns] = 0.0
            state[1][columns] = 0.0
    lr[columns] = 0.0
    floor[columns] = 0.0
