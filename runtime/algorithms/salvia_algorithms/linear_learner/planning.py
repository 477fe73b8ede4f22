"""From validated hyperparameters to a training Plan: ``auto`` values resolved, and the M models
trained in parallel (``num_models``) given their learning rates, L2 and L1 weights. Model 0 uses
exactly the values asked for (auto → the default); the others vary what was left ``auto`` (or,
when everything was given, the learning rate around the given one)."""

import numpy as np

from ..hyperparameters import AUTO
from .losses import Loss
from .trainer import Candidate, Plan

DEFAULT_NUM_MODELS = 32
DEFAULT_LEARNING_RATES = {
    'adam': [0.01, 0.1, 0.003, 0.03, 0.3, 0.001],
    'sgd': [0.01, 0.1, 0.003, 0.03, 0.3, 0.001],
    'rmsprop': [0.01, 0.1, 0.003, 0.03, 0.001, 0.3],
    'adagrad': [0.1, 0.3, 0.03, 1.0, 0.01, 0.003],
}
AUTO_WD = [0.0, 1e-4, 1e-3, 1e-2]
AUTO_L1 = [0.0, 1e-4]
NEAR = [1.0, 0.5, 2.0, 0.25, 4.0, 0.1, 10.0, 0.05, 20.0]


def _value(hp, name, default):
    value = hp[name]
    return default if value == AUTO or value is None else value


def num_models(hp, outputs, tuning):
    """How many models to train: 1 under automatic model tuning (as SageMaker does), the value
    asked for, or 32 (fewer for many classes, to bound the work per mini-batch)."""
    if tuning:
        return 1
    if hp['num_models'] != AUTO:
        return hp['num_models']
    return max(1, min(DEFAULT_NUM_MODELS, 512 // outputs))


def candidates(hp, optimizer, models, positive_weight_balanced):
    """The per-model (learning_rate, wd, l1, positive weight) grid; model 0 first."""
    given_lr = hp['learning_rate'] != AUTO
    lrs = [hp['learning_rate'] * f for f in NEAR] if given_lr else DEFAULT_LEARNING_RATES[optimizer]
    wds = [hp['wd']] if hp['wd'] != AUTO else AUTO_WD
    l1s = [hp['l1']] if hp['l1'] != AUTO else AUTO_L1
    weight = hp['positive_example_weight_mult']
    if weight == 'auto':
        weights = [1.0, positive_weight_balanced]
    elif weight == 'balanced':
        weights = [positive_weight_balanced]
    else:
        weights = [float(weight)]
    if given_lr and (len(wds) > 1 or len(l1s) > 1 or len(weights) > 1):
        lrs = lrs[:1]  # vary what was left auto, keep the learning rate asked for
    grid = []
    for i in range(models):
        a = i % len(lrs)
        rest = i // len(lrs)
        w = rest % len(wds)
        rest //= len(wds)
        l = rest % len(l1s)
        rest //= len(l1s)
        p = rest % len(weights)
        grid.append(Candidate(learning_rate=float(lrs[a]), wd=float(wds[w]), l1=float(l1s[l]), positive_example_weight_mult=float(weights[p])))
    return grid


def make_plan(hp, feature_dim, labels, label_scale, tuning=False, label_shift=0.0):
    """The Plan for these hyperparameters; ``labels`` are the (normalised) training labels (for
    balanced weights), ``label_scale`` the label standard deviation used to normalise (1 when
    not), which rescales loss_insensitivity and huber_delta into the normalised space."""
    predictor = hp['predictor_type']
    outputs = hp['num_classes'] if predictor == 'multiclass_classifier' else 1
    optimizer = 'adam' if hp['optimizer'] == AUTO else hp['optimizer']
    loss = Loss(
        hp['loss'],
        margin=hp['margin'],
        quantile=hp['quantile'],
        epsilon=hp['loss_insensitivity'] / label_scale,
        delta=hp['huber_delta'] / label_scale,
    )
    balanced = 1.0
    class_weights = None
    if predictor == 'binary_classifier':
        positives = float(np.sum(labels == 1))
        negatives = float(len(labels) - positives)
        balanced = negatives / positives if positives else 1.0
    elif predictor == 'multiclass_classifier' and hp['balance_multiclass_weights']:
        counts = np.bincount(labels.astype(np.int64), minlength=outputs).astype(np.float64)
        class_weights = np.where(counts > 0, len(labels) / (outputs * np.maximum(counts, 1.0)), 0.0).astype(np.float32)
    models = num_models(hp, outputs, tuning)
    criterion = hp['binary_classifier_model_selection_criteria'] if predictor == 'binary_classifier' else 'loss_function'
    return Plan(
        predictor_type=predictor,
        outputs=outputs,
        loss=loss,
        candidates=candidates(hp, optimizer, models, balanced),
        epochs=hp['epochs'],
        mini_batch_size=hp['mini_batch_size'],
        optimizer=optimizer,
        momentum=_value(hp, 'momentum', 0.0),
        beta_1=_value(hp, 'beta_1', 0.9),
        beta_2=_value(hp, 'beta_2', 0.999),
        use_bias=hp['use_bias'],
        bias_lr_mult=_value(hp, 'bias_lr_mult', 1.0),
        bias_wd_mult=_value(hp, 'bias_wd_mult', 0.0),
        use_lr_scheduler=hp['use_lr_scheduler'],
        lr_scheduler_step=_value(hp, 'lr_scheduler_step', 100),
        lr_scheduler_factor=_value(hp, 'lr_scheduler_factor', 0.99),
        lr_scheduler_minimum_lr=_value(hp, 'lr_scheduler_minimum_lr', 1e-5),
        early_stopping_patience=hp['early_stopping_patience'],
        early_stopping_tolerance=hp['early_stopping_tolerance'],
        criterion=criterion,
        f_beta=hp['f_beta'],
        target_recall=hp['target_recall'],
        target_precision=hp['target_precision'],
        class_weights=class_weights,
        init_method=hp['init_method'],
        init_scale=hp['init_scale'],
        init_sigma=hp['init_sigma'],
        init_bias=hp['init_bias'],
        label_shift=label_shift,
        label_scale=label_scale,
        report_loss=Loss(hp['loss'], margin=hp['margin'], quantile=hp['quantile'], epsilon=hp['loss_insensitivity'], delta=hp['huber_delta']),
    )
