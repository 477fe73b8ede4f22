"""``train``: validate, read the channels, run xgboost.train with the container's callbacks, save
``xgboost-model``."""

import os
import re
import sys
import time

from .. import contract
from ..contract import ClientError
from . import checkpoints, data, distributed, metrics
from .hyperparameters import CUSTOM_METRICS, validate, xgboost_params

ALLOWED_CHANNELS = ('train', 'validation')

# xgboost messages that mean the user's data or parameters are wrong (as the container lists them).
_CUSTOMER_ERRORS = (
    'label must be in [0,1] for logistic regression',
    'label must be in [0, num_class)',
    'feature_names mismatch',
    'Check failed: preds.size() == info.labels_.size()',
    'the dataset only contains pos or neg samples',
    'base_score must be in (0,1)',
    'label must be nonnegative',
    'Parameter reg_lambda should be greater equal to 0',
    'gpu_hist',
    'GPU',
    'Invalid Parameter',
    'Unknown objective',
    'Check failed: labels',
    'SoftmaxMultiClassObj: label must be',
)


def _strip_location(line):
    """'[10:50:52] ./src/objective/x.cu:123: message' → 'message'."""
    return re.sub(r'^\[[0-9:]+\]\s+\S+:\d+:\s*', '', line.strip())


def _log(message):
    print(message, file=sys.stderr, flush=True)


class PrintEvaluation:
    """xgboost's own per-round line, ``[i]\\ttrain-<m>:<v>\\tvalidation-<m>:<v>``, to stdout
    (what SageMaker's metric regexes parse), flushed at once; rounds are numbered from ``start``
    (a resumed job continues the count)."""

    def __new__(cls, start=0):
        import xgboost  # noqa: PLC0415

        class _Print(xgboost.callback.TrainingCallback):
            def after_iteration(self, model, epoch, evals_log):  # noqa: ARG002
                if not evals_log:
                    return False
                line = f'[{start + epoch}]'
                for channel, logs in evals_log.items():
                    for name, values in logs.items():
                        score = values[-1][0] if isinstance(values[-1], tuple) else values[-1]
                        line += f'\t{channel}-{name}:{score:.5f}'
                print(line, flush=True)
                return False

        return _Print()


class StopOnSigterm:
    """With ``save_model_on_termination=true``: SIGTERM (StopTrainingJob, MaxRuntimeInSeconds)
    ends training after the current round, and the model trained so far is saved as usual."""

    def __new__(cls):
        import signal  # noqa: PLC0415

        import xgboost  # noqa: PLC0415

        class _Stop(xgboost.callback.TrainingCallback):
            requested = False

            def after_iteration(self, model, epoch, evals_log):  # noqa: ARG002
                return _Stop.requested

        def request(signum, frame):  # noqa: ARG001
            _Stop.requested = True
            _log('SIGTERM: stopping after this round and saving the model (save_model_on_termination)')

        signal.signal(signal.SIGTERM, request)
        return _Stop()


def _dmatrix(xgboost, channel_data):
    matrix = xgboost.DMatrix(channel_data.features, label=channel_data.labels, weight=channel_data.weights, missing=float('nan'))
    if channel_data.groups:
        matrix.set_group(channel_data.groups)
    return matrix


def _check_channels(env):
    unknown = sorted(set(env.channels) - set(ALLOWED_CHANNELS))
    if unknown:
        raise ClientError(
            f'Channel(s) {", ".join(unknown)} are not supported by the XGBoost algorithm; supported channels: train (required), validation'
        )
    if 'train' not in env.channels:
        raise ClientError('The XGBoost algorithm needs a train channel')
    for channel in env.channels.values():
        data.content_type(channel.content_type)
        if channel.input_mode not in ('File', 'Pipe', 'FastFile'):
            raise ClientError(f'Channel {channel.name}: input mode {channel.input_mode} is not supported')


def train(env):
    """The whole training run (ClientError/AlgorithmError end the job through the contract)."""
    values, tuning_metric = validate(env.hyperparameters)
    _check_channels(env)
    xgboost = contract.require_module('xgboost', 'python3-xgboost')

    started = time.time()
    base = contract.path('input', 'data')
    csv_weights = values.get('csv_weights') == 1
    train_data = data.read_channel(env.channels['train'], base, csv_weights)
    if train_data is None:
        shard = ' (ShardedByS3Key gave this instance no files: use at most as many instances as files)' if len(env.hosts) > 1 else ''
        raise ClientError(f'No data in training channel path {env.channels["train"].directory} on {env.current_host}{shard}')
    validation_data = None
    if 'validation' in env.channels:
        validation_data = data.read_channel(env.channels['validation'], base, csv_weights, env.channels['train'].content_type)
        if validation_data is None:
            raise ClientError(f'No data in validation channel path {env.channels["validation"].directory}')
        data.align(train_data, validation_data)
    _log(f'Read {train_data.rows} training rows' + (f' and {validation_data.rows} validation rows' if validation_data else '') + f' in {time.time() - started:.2f}s')

    objective = values.get('objective', 'reg:squarederror')
    eval_metrics = list(values.get('eval_metric') or [])
    if tuning_metric and tuning_metric not in eval_metrics:
        eval_metrics.append(tuning_metric)
        values['eval_metric'] = eval_metrics
    custom = [m for m in eval_metrics if m in CUSTOM_METRICS]
    params = xgboost_params(values)
    if 'nthread' not in params and distributed.default_nthread(env):
        params['nthread'] = distributed.default_nthread(env)

    try:
        dtrain = _dmatrix(xgboost, train_data)
        dvalidation = _dmatrix(xgboost, validation_data) if validation_data is not None else None
    except xgboost.core.XGBoostError as error:
        raise ClientError(f'Could not build the training matrix: {error}') from None
    evals = [(dtrain, 'train')] + ([(dvalidation, 'validation')] if dvalidation is not None else [])

    with distributed.communicator(env, xgboost) as rank:
        _train_rounds(xgboost, env, values, params, custom, objective, dtrain, dvalidation, evals, is_master=rank == 0)


def _train_rounds(xgboost, env, values, params, custom, objective, dtrain, dvalidation, evals, is_master):
    """xgboost.train with the container's callbacks, resuming from the newest checkpoint; the
    master saves the model (and the checkpoints)."""
    started = time.time()
    num_round = values['num_round']
    resume_from, last_round = checkpoints.latest(env.checkpoint_dir)
    callbacks = [PrintEvaluation(last_round + 1)] if is_master else []
    if env.checkpoint_dir and is_master:
        callbacks.append(checkpoints.saver(env.checkpoint_dir, start=last_round + 1))
    if values.get('save_model_on_termination') == 'true' and is_master:
        callbacks.append(StopOnSigterm())
    if resume_from:
        _log(f'Resuming from checkpoint {resume_from} (round {last_round}); {max(0, num_round - last_round - 1)} rounds to go')
    remaining = num_round - (last_round + 1)
    model_path = os.path.join(env.model_dir, 'xgboost-model')
    os.makedirs(env.model_dir, exist_ok=True)
    if remaining <= 0 and resume_from:
        if not is_master:
            return
        booster = xgboost.Booster(model_file=resume_from)
        booster.save_model(model_path)
        _log(f'The checkpoint already holds all {num_round} rounds; saved it as the model')
        return

    try:
        booster = xgboost.train(
            params,
            dtrain,
            num_boost_round=remaining,
            evals=evals,
            custom_metric=metrics.custom_metric(custom, objective),
            early_stopping_rounds=values.get('early_stopping_rounds'),
            callbacks=callbacks,
            xgb_model=resume_from,
            verbose_eval=False,
        )
    except xgboost.core.XGBoostError as error:
        message = str(error).strip().splitlines()
        text = message[0] if message else str(error)
        detail = next((line for line in message if any(e in line for e in _CUSTOMER_ERRORS)), None)
        if detail is not None:
            raise ClientError(f'XGBoost rejected the input: {_strip_location(detail)}') from None
        raise contract.AlgorithmError(f'XGB train call failed with exception: {_strip_location(text)}') from None
    if not is_master:
        _log(f'Trained {booster.num_boosted_rounds()} rounds in {time.time() - started:.2f}s; the first instance saves the model')
        return
    booster.save_model(model_path)
    if values.get('early_stopping_rounds') and dvalidation is not None:
        _log(f'Best iteration: {booster.best_iteration} (best score {booster.best_score})')
    _log(f'Trained {booster.num_boosted_rounds()} rounds in {time.time() - started:.2f}s; model saved to {model_path}')
