"""``train``: validate, read the channels, run web-scale k-means, score the test channel, save."""

import json
import time

import numpy as np

from ..contract import ClientError
from ..formats import CSV, RECORDIO_PROTOBUF, read_channel, require_finite
from ..hyperparameters import AUTO, parse
from ..log import AlgorithmLog
from . import algorithm
from .model import KMeansModel, save
from .spec import AUTO_EXTRA_CENTER_FACTOR, AUTO_LOCAL_LLOYD_NUM_TRIALS, SPEC

CHANNELS = ('train', 'test')
SUPPORTED = (RECORDIO_PROTOBUF, CSV)


def _config_error(message):
    return ClientError('Unable to initialize the algorithm. Failed to validate input data configuration. '
                       f'(caused by ValidationError) Caused by: {message}')


def check_channels(channels):
    """ClientError for a missing train channel or a channel K-Means does not know."""
    unknown = sorted(name for name in channels if name not in CHANNELS)
    if unknown:
        listed = ', '.join(repr(n) for n in unknown)
        raise _config_error(f'Additional properties are not allowed ({listed} {"was" if len(unknown) == 1 else "were"} unexpected)')
    if 'train' not in channels:
        raise _config_error("'train' is a required property")
    test = channels.get('test')
    if test is not None and test.distribution != 'FullyReplicated':
        raise _config_error(f"channel 'test' must be FullyReplicated, not {test.distribution}")


def load_features(channel, feature_dim):
    """The channel's rows as a dense float32 matrix, checked against feature_dim and for NaN.
    CSV defaults to label_size=0 (unsupervised)."""
    data = read_channel(channel, SUPPORTED, RECORDIO_PROTOBUF, label_size=0)
    if data.rows == 0:
        return np.zeros((0, feature_dim), dtype=np.float32)
    if data.feature_dim != feature_dim:
        raise ClientError(f"Invalid feature_dim: the records of channel '{channel.name}' have {data.feature_dim} features, "
                          f'but the hyperparameter feature_dim is {feature_dim}')
    features = data.dense()
    require_finite(features, f"channel '{channel.name}'")
    return features


def resolve_auto(hp, rows):
    """Concrete values for ``auto``: extra_center_factor 10 (capped so k × factor ≤ rows),
    local_lloyd_num_trials 10."""
    factor = hp['extra_center_factor']
    if factor == AUTO:
        factor = max(1, min(AUTO_EXTRA_CENTER_FACTOR, rows // hp['k']))
    trials = hp['local_lloyd_num_trials']
    if trials == AUTO:
        trials = AUTO_LOCAL_LLOYD_NUM_TRIALS
    return factor, trials


def score(model, features, metrics):
    """[(name, value)] for 'msd' (mean squared distance to the closest center) and 'ssd' (sum)."""
    _, distances = algorithm.assign(features, model.centers)
    values = {'msd': float(distances.mean()), 'ssd': float(distances.sum())}
    return [(name, values[name]) for name in metrics]


def run(env):
    log = AlgorithmLog('AWS/KMeansWebscale', env.current_host)
    log.info(f'Reading provided configuration from hyperparameters.json: {json.dumps(env.hyperparameters, sort_keys=True)}')
    hp = parse(SPEC, env.hyperparameters)
    log.info(f'Final configuration: {json.dumps(hp, sort_keys=True)}')
    check_channels(env.channels)
    if len(env.hosts) > 1:
        log.warning(f'{len(env.hosts)} hosts: each trains on its own data; only {sorted(env.hosts)[0]} writes the model')

    started = time.time()
    train = load_features(env.channels['train'], hp['feature_dim'])
    rows = train.shape[0]
    if rows == 0:
        raise ClientError("No training data: channel 'train' holds no records")
    if hp['k'] > rows:
        raise ClientError(f'k={hp["k"]} is greater than the number of training records ({rows}); k must be at most the number of records')
    log.info(f'Read {rows} records with {hp["feature_dim"]} features from channel train in {time.time() - started:.3f} s')

    factor, trials = resolve_auto(hp, rows)
    num_centers = hp['k'] * factor
    rng = np.random.default_rng(0)
    log.info(f'Training {num_centers} centers (k={hp["k"]} x extra_center_factor={factor}) with mini_batch_size={hp["mini_batch_size"]}, '
             f'epochs={hp["epochs"]}, init_method={hp["init_method"]}')

    def on_epoch(epoch, centers, counts):
        log.info(f'Epoch {epoch}: {int((counts > 0).sum())} of {len(counts)} centers received records')

    train_start = time.time()
    centers, weights = algorithm.minibatch(train, num_centers, hp['mini_batch_size'], hp['epochs'], hp['init_method'],
                                           hp['half_life_time_size'], rng, on_epoch)
    log.info(f'shrinking {len(centers)} centers into {hp["k"]}')
    final, loss, iterations = algorithm.local_lloyd(centers, weights, hp['k'], hp['local_lloyd_init_method'],
                                                    hp['local_lloyd_max_iter'], hp['local_lloyd_tol'], trials, rng)
    mass = max(float(weights.sum()), 1e-30)
    log.info(f'finished shrinking process after {iterations} iterations. Mean Square Distance = {loss / mass!r}')
    model = KMeansModel(final.astype(np.float32), hp)
    (_, train_msd), = score(model, train, ['msd'])
    model.train_msd = train_msd
    log.info(f'#quality_metric: host={env.current_host}, train msd <loss>={train_msd!r}')
    end = time.time()
    log.metrics({'Total Records Seen': float(rows * hp['epochs']), 'Total Batches Seen': float(-(-rows // hp['mini_batch_size']) * hp['epochs'])},
                train_start, end)

    if 'test' in env.channels:
        test = load_features(env.channels['test'], hp['feature_dim'])
        if test.shape[0] == 0:
            log.warning("channel 'test' holds no records; no test scores")
        else:
            log.scores('test', [(name, value, 'loss') for name, value in score(model, test, hp['eval_metrics'])])

    if env.is_master:
        path = save(model, env.model_dir)
        log.info(f'Saved the model ({hp["k"]} centers) to {path}')
