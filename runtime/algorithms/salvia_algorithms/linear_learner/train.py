"""``python3 -m salvia_algorithms.linear_learner train``: read the channels, normalise, train
the models in parallel, pick the best, report scores as SageMaker's Linear Learner does, and
write /opt/ml/model/model_algo-1."""

import json
import time

import numpy as np

from ..contract import ClientError
from ..hyperparameters import AUTO
from ..log import AlgorithmLog
from . import model as model_io
from .data import check_dataset, read_channel
from .losses import Loss
from .planning import make_plan
from .scoring import binary_scores, multiclass_scores, regression_scores
from .spec import parse_hyperparameters
from .trainer import score_space
from .trainer import train as train_models

CHANNELS = ('train', 'validation', 'test')
ALGORITHM = 'Linear Learner'
"""The Algorithm dimension of the #metrics lines."""
EVAL_SAMPLE = 20000


def run(env, log=None):
    """Trains from a contract.TrainingEnv; raises ClientError for bad input."""
    log = log or AlgorithmLog(ALGORITHM, env.current_host)
    started = time.time()
    hp = parse_hyperparameters(env.hyperparameters)
    tuning = '_tuning_objective_metric' in env.hyperparameters
    log.info(f'Final configuration: {json.dumps({k: v for k, v in sorted(hp.items())})}')
    unknown = sorted(set(env.channels) - set(CHANNELS))
    if unknown:
        raise ClientError(f"Channel(s) {', '.join(repr(c) for c in unknown)} not supported by Linear Learner; use train, validation and test")
    if 'train' not in env.channels:
        raise ClientError("Linear Learner requires a 'train' channel")
    if not env.is_master:
        log.info(f'{env.current_host} is not the master host ({sorted(env.hosts)[0]}); Linear Learner trains and writes the model there only')
        return None
    predictor = hp['predictor_type']
    feature_dim = None if hp['feature_dim'] == AUTO else hp['feature_dim']
    reading = time.perf_counter()
    x, y = check_dataset('train', read_channel(env.channels['train']), predictor, hp['num_classes'], feature_dim)
    feature_dim = x.shape[1]
    others = {}
    for name in ('validation', 'test'):
        if name in env.channels:
            others[name] = check_dataset(name, read_channel(env.channels[name]), predictor, hp['num_classes'], feature_dim)
    log.info(
        f'Read {x.shape[0]} training records with {feature_dim} features'
        + ''.join(f', {len(v[1])} {k} records' for k, v in others.items())
        + f' in {time.perf_counter() - reading:.3f} s'
    )

    sparse = not isinstance(x, np.ndarray)
    rng = np.random.default_rng(0)
    sample = rng.choice(x.shape[0], size=min(hp['num_point_for_scaler'], x.shape[0]), replace=False)
    shift, scale = _feature_scaler(hp, x[sample], sparse)
    label_shift, label_scale = _label_scaler(hp, y[sample])
    log.info(f'Scaling model computed with parameters: mean_weight={_brief(shift)}, stdev_weight={_brief(scale)}, mean_label={label_shift}, stdev_label={label_scale}')
    xn = _normalise(x, shift, scale, sparse)
    yn = ((y - label_shift) / label_scale).astype(np.float32)

    plan = make_plan(hp, feature_dim, yn, label_scale, tuning=tuning, label_shift=label_shift)
    if 'validation' in others:
        vx, vy = others['validation']
        pick = _subsample(len(vy), EVAL_SAMPLE, rng)
        eval_x = _normalise(vx[pick], shift, scale, sparse)
        eval_y = ((vy[pick] - label_shift) / label_scale).astype(np.float32)
        eval_name = 'validation'
    else:
        pick = _subsample(len(y), EVAL_SAMPLE, rng)
        eval_x, eval_y = xn[pick], yn[pick]
        eval_name = None
    criteria = _criteria_name(plan, eval_name)
    log.info(f'Training {len(plan.candidates)} models in parallel with optimizer {plan.optimizer}, loss {plan.loss.name}, '
             f'mini_batch_size {plan.mini_batch_size}, up to {plan.epochs} epochs')

    def on_epoch(epoch, train_objective, eval_objective, values, improved, stale, seconds, records):
        best = int(np.argmax(values))
        log.epoch_metric(epoch, 'train', plan.loss.objective_name, float(train_objective[best]))
        if eval_name:
            log.epoch_metric(epoch, eval_name, plan.loss.objective_name, float(eval_objective[best]))
        shown = float(values[best]) if criteria.startswith('sampled_') or plan.criterion != 'loss_function' else float(-values[best])
        log.info(f'#early_stopping_criteria_metric: host={log.host}, epoch={epoch}, criteria={criteria}, value={shown!r}')
        if improved:
            log.info(f'Epoch {epoch}: Loss improved. Updating best model')
        else:
            log.info(f'Epoch {epoch}: Loss has not improved for {stale} epochs.')
            if stale >= plan.early_stopping_patience:
                log.info('Reached early stopping criteria. Stopping training.')
        log.info(f'#progress_metric: host={log.host}, completed {int(round(100.0 * (epoch + 1) / plan.epochs))} % of epochs')
        rate = records / seconds if seconds > 0 else 0.0
        log.info(f'#throughput_metric: host={log.host}, train throughput={rate!r} records/second')

    with np.errstate(over='ignore', invalid='ignore', divide='ignore'):  # diverging models are frozen, not fatal
        outcome = train_models(plan, xn, yn, eval_x, eval_y, on_epoch=on_epoch)
    weights, bias = _fold(outcome.weights, outcome.bias, shift, scale, label_shift, label_scale)
    chosen = plan.candidates[outcome.index]
    chosen_params = {
        'optimizer': plan.optimizer,
        'learning_rate': chosen.learning_rate,
        'wd': chosen.wd,
        'l1': chosen.l1,
        'lr_scheduler_step': plan.lr_scheduler_step,
        'lr_scheduler_factor': plan.lr_scheduler_factor,
        'lr_scheduler_minimum_lr': plan.lr_scheduler_minimum_lr,
    }
    if predictor == 'binary_classifier':
        chosen_params['positive_example_weight_mult'] = chosen.positive_example_weight_mult
    trained = model_io.LinearModel(
        predictor_type=predictor,
        weights=weights,
        bias=bias,
        loss=plan.loss.name,
        threshold=outcome.threshold,
        num_classes=hp['num_classes'] if predictor == 'multiclass_classifier' else None,
        hyperparameters={**chosen_params, 'epochs_run': outcome.epochs_run, 'feature_dim': feature_dim},
    )
    raw_loss = Loss(plan.loss.name, margin=hp['margin'], quantile=hp['quantile'], epsilon=hp['loss_insensitivity'], delta=hp['huber_delta'])
    if 'validation' in others:
        log.scores('validation', final_scores(trained, raw_loss, hp, *others['validation']))
    else:
        log.scores('train', final_scores(trained, raw_loss, hp, x, y))
    log.info(f'Best model found for hyperparameters: {json.dumps(chosen_params)}')
    model_io.save(trained, env.model_dir)
    log.info(f'Saved model to {env.model_dir}/{model_io.FILE_NAME}')
    if 'test' in others:
        log.scores('test', final_scores(trained, raw_loss, hp, *others['test']))
    else:
        log.info('Test data is not provided.')
    end = time.time()
    log.metrics(
        {'totaltime': (end - started) * 1000.0, 'epochs': float(outcome.epochs_run), 'train_throughput_records_per_second': outcome.records_per_second},
        started,
        end,
    )
    return trained


def final_scores(trained, loss, hp, x, y):
    """The (name, value, kind) list for one channel with the chosen model (raw feature space)."""
    raw = trained.raw(x)
    objective = float(loss.value(raw[:, None, :], y).mean())
    scores, _ = trained.predict(x)
    if trained.predictor_type == 'binary_classifier':
        return binary_scores(loss.objective_name, objective, scores, y, trained.threshold, hp['f_beta'])
    if trained.predictor_type == 'multiclass_classifier':
        return multiclass_scores(loss.objective_name, objective, scores, y, hp['accuracy_top_k'], hp['f_beta'])
    return regression_scores(loss.objective_name, objective, scores, y)


def _criteria_name(plan, eval_name):
    if plan.predictor_type == 'binary_classifier' and plan.criterion != 'loss_function':
        return ('' if eval_name else 'sampled_') + plan.criterion
    return plan.loss.objective_name


def _feature_scaler(hp, sample, sparse):
    d = sample.shape[1]
    normalize = hp['normalize_data'] is not False
    unbias = hp['unbias_data'] is True or (hp['unbias_data'] == AUTO and hp['use_bias'] and normalize)
    if sparse:
        dense = np.asarray(sample.todense(), dtype=np.float64)
        unbias = False  # shifting would densify sparse data
    else:
        dense = np.asarray(sample, dtype=np.float64)
    shift = dense.mean(axis=0) if unbias else np.zeros(d)
    if normalize:
        scale = dense.std(axis=0) if unbias else np.sqrt(np.mean(dense * dense, axis=0))
        scale = np.where(scale > 1e-12, scale, 1.0)
    else:
        scale = np.ones(d)
    return shift, scale


def _label_scaler(hp, sample):
    if hp['predictor_type'] != 'regressor':
        return 0.0, 1.0
    normalize = hp['normalize_label'] is not False
    unbias = hp['unbias_label'] is True or (hp['unbias_label'] == AUTO and hp['use_bias'] and normalize)
    shift = float(np.mean(sample)) if unbias else 0.0
    if not normalize:
        return shift, 1.0
    scale = float(np.std(sample)) if unbias else float(np.sqrt(np.mean(sample.astype(np.float64) ** 2)))
    return shift, scale if scale > 1e-12 else 1.0


def _normalise(x, shift, scale, sparse):
    if sparse:
        import scipy.sparse

        return (x @ scipy.sparse.diags((1.0 / scale).astype(np.float32))).tocsr().astype(np.float32)
    out = np.asarray(x, dtype=np.float32) - shift.astype(np.float32)
    out *= (1.0 / scale).astype(np.float32)
    return out


def _fold(weights, bias, shift, scale, label_shift, label_scale):
    """Weights trained on (x - shift) / scale predicting (y - label_shift) / label_scale → weights
    on raw x predicting raw y."""
    w = weights / scale[:, None]
    b = bias - shift @ w
    return w * label_scale, b * label_scale + label_shift


def _subsample(n, cap, rng):
    if n <= cap:
        return np.arange(n)
    return np.sort(rng.choice(n, size=cap, replace=False))


def _brief(values):
    shown = ', '.join(f'{v:.6g}' for v in values[:8])
    return f'[{shown}{", …" if len(values) > 8 else ""}]'
