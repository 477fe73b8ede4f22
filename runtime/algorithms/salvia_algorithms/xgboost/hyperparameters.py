"""The XGBoost container's hyperparameters: names, ranges and cross-field rules, and their
translation into xgboost.train's params. Defaults are xgboost's own (values not given are not
passed), as in the SageMaker container."""

import ast
import json

from ..hyperparameters import Categorical, Continuous, FreeText, Integer, invalid, parse

# Metrics xgboost computes itself, and those the container adds (computed in metrics.py).
NATIVE_METRICS = [
    'rmse', 'rmsle', 'mae', 'mape', 'mphe', 'logloss', 'error', 'merror', 'mlogloss', 'auc', 'aucpr', 'ndcg',
    'map', 'poisson-nloglik', 'gamma-nloglik', 'cox-nloglik', 'gamma-deviance', 'tweedie-nloglik', 'aft-nloglik',
    'interval-regression-accuracy',
]
CUSTOM_METRICS = [
    'accuracy', 'balanced_accuracy', 'f1', 'f1_binary', 'f1_macro', 'mse', 'precision', 'precision_macro',
    'precision_micro', 'r2', 'recall', 'recall_macro', 'recall_micro',
]
MAXIMIZE_METRICS = [
    'accuracy', 'auc', 'aucpr', 'balanced_accuracy', 'f1', 'f1_binary', 'f1_macro', 'map', 'ndcg', 'precision',
    'r2', 'recall', 'precision_macro', 'precision_micro', 'recall_macro', 'recall_micro',
]
MINIMIZE_METRICS = [
    'aft-nloglik', 'cox-nloglik', 'error', 'gamma-deviance', 'gamma-nloglik', 'interval-regression-accuracy',
    'logloss', 'mae', 'mape', 'merror', 'mlogloss', 'mphe', 'mse', 'poisson-nloglik', 'rmse', 'rmsle',
    'tweedie-nloglik',
]

OBJECTIVES = [
    'binary:logistic', 'binary:logitraw', 'binary:hinge', 'count:poisson', 'multi:softmax', 'multi:softprob',
    'rank:pairwise', 'rank:ndcg', 'rank:map', 'reg:linear', 'reg:squarederror', 'reg:logistic', 'reg:gamma',
    'reg:pseudohubererror', 'reg:squaredlogerror', 'reg:absoluteerror', 'reg:tweedie', 'survival:aft',
    'survival:cox',
]
TREE_UPDATERS = [
    'grow_colmaker', 'distcol', 'grow_histmaker', 'grow_local_histmaker', 'grow_skmaker', 'sync', 'refresh',
    'prune', 'grow_quantile_histmaker',
]
TREE_BUILDERS = ['grow_colmaker', 'distcol', 'grow_histmaker', 'grow_local_histmaker', 'grow_quantile_histmaker']
LINEAR_UPDATERS = ['shotgun', 'coord_descent']

ALIASES = {'learning_rate': 'eta', 'min_split_loss': 'gamma', 'reg_lambda': 'lambda', 'reg_alpha': 'alpha'}

SPEC = [
    Integer('num_round', min=1, required=True),
    Integer('csv_weights', min=0, max=1, default=0),
    Integer('early_stopping_rounds', min=1),
    Categorical('booster', ['gbtree', 'gblinear', 'dart']),
    Integer('verbosity', min=0, max=3),
    Integer('nthread', min=1),
    Continuous('eta', min=0, max=1),
    Continuous('gamma', min=0),
    Integer('max_depth', min=0),
    Continuous('min_child_weight', min=0),
    Continuous('max_delta_step', min=0),
    Continuous('subsample', min=0, max=1, min_open=True),
    Continuous('colsample_bytree', min=0, max=1, min_open=True),
    Continuous('colsample_bylevel', min=0, max=1, min_open=True),
    Continuous('colsample_bynode', min=0, max=1, min_open=True),
    Continuous('lambda', min=0),
    Continuous('alpha', min=0),
    Categorical('tree_method', ['auto', 'exact', 'approx', 'hist', 'gpu_hist']),
    Continuous('sketch_eps', min=0, max=1, min_open=True, max_open=True),
    Continuous('scale_pos_weight', min=0, min_open=True),
    FreeText('updater'),
    Categorical('dsplit', ['row', 'col']),
    Integer('refresh_leaf', min=0, max=1),
    Categorical('process_type', ['default', 'update']),
    Categorical('grow_policy', ['depthwise', 'lossguide']),
    Integer('max_leaves', min=0),
    Integer('max_bin', min=0),
    Categorical('predictor', ['auto', 'cpu_predictor', 'gpu_predictor']),
    FreeText('monotone_constraints'),
    FreeText('interaction_constraints'),
    Categorical('sample_type', ['uniform', 'weighted']),
    Categorical('normalize_type', ['tree', 'forest']),
    Continuous('rate_drop', min=0, max=1),
    Integer('one_drop', min=0, max=1),
    Continuous('skip_drop', min=0, max=1),
    Continuous('lambda_bias', min=0, max=1),
    Continuous('tweedie_variance_power', min=1, max=2, min_open=True, max_open=True),
    Categorical('objective', OBJECTIVES),
    Integer('num_class', min=2),
    Continuous('base_score', min=0),
    FreeText('eval_metric'),
    Integer('seed', min=-(2**31), max=2**31 - 1, min_open=True, max_open=True),
    Integer('num_parallel_tree', min=1),
    Categorical('save_model_on_termination', ['true', 'false']),
    Categorical('aft_loss_distribution', ['normal', 'logistic', 'extreme']),
    Continuous('aft_loss_distribution_scale', min=0),
    Categorical('single_precision_histogram', ['true', 'false']),
    Categorical('deterministic_histogram', ['true', 'false']),
    Categorical('sampling_method', ['uniform', 'gradient_based']),
    Integer('prob_buffer_row', min=1, min_open=True),
    Continuous('huber_slope', min=0, min_open=True),
    Integer('max_cat_to_onehot', min=1),
]

# Accepted by the container but not passed to xgboost (they steer the container itself).
CONTAINER_ONLY = {'num_round', 'csv_weights', 'early_stopping_rounds', 'save_model_on_termination'}
# Old parameters xgboost 1.7 no longer knows; accepted (as the container does) and dropped.
DROPPED = {'dsplit', 'lambda_bias', 'single_precision_histogram', 'deterministic_histogram', 'prob_buffer_row'}


def _list(text):
    """``a,b`` / ``["a","b"]`` / ``['a', 'b']`` → ['a', 'b']."""
    for loader in (json.loads, ast.literal_eval):
        try:
            value = loader(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, (list, tuple)):
            return [str(v).strip() for v in value]
        if isinstance(value, str):
            text = value
            break
    return [part.strip().strip('"\'') for part in text.strip('[]').split(',') if part.strip()]


def _eval_metrics(text, objective):
    metrics = _list(text)
    for metric in metrics:
        if '<function' in metric:
            raise invalid(f'User defined evaluation metric {metric} is not supported yet.')
        if '@' in metric:
            name, _, threshold = metric.partition('@')
            if name.strip() not in ('error', 'ndcg', 'map'):
                raise invalid(
                    f"Metric '{metric}' is not supported. Parameter 'eval_metric' with customized threshold should "
                    "be one of these options: 'error', 'ndcg', 'map'."
                )
            if threshold.strip().endswith('-'):
                threshold = threshold.strip()[:-1]
            if threshold.strip():
                try:
                    float(threshold)
                except ValueError:
                    raise invalid(f"Threshold value 't' in '{name}@t' expects float input.") from None
            continue
        if metric not in NATIVE_METRICS and metric not in CUSTOM_METRICS:
            raise invalid(
                f"Hyperparameter 'eval_metric': value {metric!r} is not one of "
                f"[{', '.join(repr(m) for m in NATIVE_METRICS + CUSTOM_METRICS)}]"
            )
    if 'auc' in metrics and not objective.startswith(('binary:', 'rank:')):
        raise invalid("Metric 'auc' can only be applied for classification and ranking problems.")
    if 'aft-nloglik' in metrics and objective != 'survival:aft':
        raise invalid("Metric 'aft-nloglik' can only be applied for 'survival:aft' objective.")
    return metrics


def _updater(text, booster, process_type):
    updaters = _list(text)
    if booster == 'gblinear':
        if not (len(updaters) == 1 and updaters[0] in LINEAR_UPDATERS):
            raise invalid("Linear updater should be one of these options: 'shotgun', 'coord_descent'.")
    elif process_type == 'update':
        if not all(u in ('refresh', 'prune') for u in updaters):
            raise invalid("process_type 'update' can only be used with updater 'refresh' and 'prune'")
    else:
        if not all(u in TREE_UPDATERS for u in updaters):
            raise invalid(f"Tree updater should be selected from these options: {', '.join(repr(u) for u in TREE_UPDATERS)}.")
        if sum(1 for u in updaters if u in TREE_BUILDERS) > 1:
            raise invalid(f"Only one tree grow plugin can be selected. Choose one from the following: {', '.join(repr(u) for u in TREE_BUILDERS)}")
    return ','.join(updaters)


def _monotone(text):
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        value = None
    if isinstance(value, int):
        value = (value,)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) and v in (-1, 0, 1) for v in value):
        raise invalid(f"Hyperparameter 'monotone_constraints': value {text!r} is not a tuple of -1, 0 and 1, e.g. (1,0,-1)")
    return '(' + ','.join(str(v) for v in value) + ')'


def _interaction(text):
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        value = None
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(group, (list, tuple)) and all(isinstance(i, int) and i >= 0 for i in group) for group in value
    ):
        raise invalid(f"Hyperparameter 'interaction_constraints': value {text!r} is not a nested list of feature indexes, e.g. [[0,1],[2,3,4]]")
    return json.dumps([list(group) for group in value])


def validate(raw):
    """hyperparameters.json (strings) → (typed values of the given names, tuning objective metric
    or None). Raises ClientError naming the first problem."""
    raw = dict(raw or {})
    for alias, name in ALIASES.items():
        if alias in raw:
            if name in raw:
                raise invalid(f"Hyperparameters '{alias}' and '{name}' are aliases of each other; give only one")
            raw[name] = raw.pop(alias)
    tuning = raw.get('_tuning_objective_metric')
    values = parse(SPEC, raw)
    given = {name: value for name, value in values.items() if name in raw}
    given['csv_weights'] = values['csv_weights']
    objective = given.get('objective', 'reg:squarederror')
    if objective in ('multi:softmax', 'multi:softprob') and 'num_class' not in given:
        raise invalid("Require input for parameter 'num_class' for multi-classification")
    if 'num_class' in given and not objective.startswith('multi:'):
        raise invalid("Do not need to setup parameter 'num_class' for learning task other than multi-classification.")
    if 'eval_metric' in given:
        given['eval_metric'] = _eval_metrics(given['eval_metric'], objective)
    if 'updater' in given:
        given['updater'] = _updater(given['updater'], given.get('booster'), given.get('process_type'))
    if 'monotone_constraints' in given:
        if given.get('tree_method') not in ('exact', 'hist'):
            raise invalid("monotone_constraints can be used only when the tree_method parameter is set to either 'exact' or 'hist'.")
        given['monotone_constraints'] = _monotone(given['monotone_constraints'])
    if 'interaction_constraints' in given:
        if given.get('tree_method') not in ('exact', 'hist', 'approx'):
            raise invalid("interaction_constraints can be used only when the tree_method parameter is set to either 'exact', 'hist' or 'approx'.")
        given['interaction_constraints'] = _interaction(given['interaction_constraints'])
    if tuning is not None:
        metric = tuning.split(':', 1)[-1]
        if metric not in NATIVE_METRICS + CUSTOM_METRICS:
            raise invalid(f"Hyperparameter '_tuning_objective_metric': value {tuning!r} is not a metric this algorithm emits")
        tuning = metric
    return given, tuning


def xgboost_params(values):
    """The params dict for xgboost.train: every given hyperparameter except the container's own and
    the retired ones; eval_metric keeps only the metrics xgboost computes natively."""
    params = {k: v for k, v in values.items() if k not in CONTAINER_ONLY and k not in DROPPED and k != 'eval_metric'}
    native = [m for m in values.get('eval_metric') or [] if m.split('@')[0] in NATIVE_METRICS]
    if native:
        params['eval_metric'] = native
    return params
