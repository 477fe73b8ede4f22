"""Linear Learner's hyperparameters: names, ranges and defaults as SageMaker documents them, and
how the ``auto`` values resolve."""

from ..hyperparameters import AUTO, Boolean, Categorical, Continuous, Integer, invalid, parse
from .losses import ALLOWED

PREDICTOR_TYPES = ('binary_classifier', 'multiclass_classifier', 'regressor')
LOSSES = (
    'logistic',
    'squared_loss',
    'absolute_loss',
    'hinge_loss',
    'eps_insensitive_squared_loss',
    'eps_insensitive_absolute_loss',
    'quantile_loss',
    'huber_loss',
    'softmax_loss',
)
CRITERIA = ('accuracy', 'f_beta', 'precision_at_target_recall', 'recall_at_target_precision', 'loss_function')

SPEC = [
    Categorical('predictor_type', PREDICTOR_TYPES, required=True),
    Integer('feature_dim', min=1, default=AUTO, auto=True),
    Integer('num_classes', min=3, max=1000000),
    Integer('accuracy_top_k', min=1, default=3),
    Boolean('balance_multiclass_weights', default=False),
    Continuous('beta_1', min=0.0, max=1.0, max_open=True, default=AUTO, auto=True),
    Continuous('beta_2', min=0.0, max=1.0, max_open=True, default=AUTO, auto=True),
    Continuous('bias_lr_mult', min=0.0, min_open=True, default=AUTO, auto=True),
    Continuous('bias_wd_mult', min=0.0, default=AUTO, auto=True),
    Categorical('binary_classifier_model_selection_criteria', CRITERIA, default='accuracy'),
    Integer('early_stopping_patience', min=1, default=3),
    Continuous('early_stopping_tolerance', min=0.0, min_open=True, default=0.001),
    Integer('epochs', min=1, default=15),
    Continuous('f_beta', min=0.0, min_open=True, default=1.0),
    Continuous('huber_delta', min=0.0, min_open=True, default=1.0),
    Continuous('init_bias', default=0.0),
    Categorical('init_method', ['uniform', 'normal'], default='uniform'),
    Continuous('init_scale', min=0.0, min_open=True, default=0.07),
    Continuous('init_sigma', min=0.0, min_open=True, default=0.01),
    Continuous('l1', min=0.0, default=AUTO, auto=True),
    Continuous('learning_rate', min=0.0, min_open=True, default=AUTO, auto=True),
    Categorical('loss', LOSSES, default=AUTO, auto=True),
    Continuous('loss_insensitivity', min=0.0, min_open=True, default=0.01),
    Continuous('lr_scheduler_factor', min=0.0, max=1.0, min_open=True, default=AUTO, auto=True),
    Continuous('lr_scheduler_minimum_lr', min=0.0, min_open=True, default=AUTO, auto=True),
    Integer('lr_scheduler_step', min=1, default=AUTO, auto=True),
    Continuous('margin', min=0.0, min_open=True, default=1.0),
    Integer('mini_batch_size', min=1, default=1000),
    Continuous('momentum', min=0.0, max=1.0, max_open=True, default=AUTO, auto=True),
    Boolean('normalize_data', default=AUTO, auto=True),
    Boolean('normalize_label', default=AUTO, auto=True),
    Integer('num_calibration_samples', min=1, default=AUTO, auto=True),
    Integer('num_models', min=1, default=AUTO, auto=True),
    Integer('num_point_for_scaler', min=1, default=10000),
    Categorical('optimizer', ['sgd', 'adam', 'rmsprop', 'adagrad'], default=AUTO, auto=True),
    Continuous('quantile', min=0.0, max=1.0, min_open=True, max_open=True, default=0.5),
    Continuous('target_precision', min=0.0, max=1.0, min_open=True, default=0.8),
    Continuous('target_recall', min=0.0, max=1.0, min_open=True, default=0.8),
    Boolean('unbias_data', default=AUTO, auto=True),
    Boolean('unbias_label', default=AUTO, auto=True),
    Boolean('use_bias', default=True),
    Boolean('use_lr_scheduler', default=True),
    Continuous('wd', min=0.0, default=AUTO, auto=True),
]

# positive_example_weight_mult is a float or one of two words: parsed by hand below.
_POSITIVE_WEIGHT = 'positive_example_weight_mult'


def parse_hyperparameters(raw):
    """Validated hyperparameters (name → value, ``'auto'`` kept) plus cross-field checks:
    ``num_classes`` with multiclass, the loss against the predictor type."""
    raw = dict(raw or {})
    weight_text = raw.pop(_POSITIVE_WEIGHT, None)
    hp = parse(SPEC, raw)
    hp[_POSITIVE_WEIGHT] = _positive_weight(weight_text)
    if hp['predictor_type'] == 'multiclass_classifier' and hp['num_classes'] is None:
        raise invalid("'num_classes' is a required hyperparameter when predictor_type is 'multiclass_classifier' (expected an integer in [3, 1000000])")
    loss = hp['loss']
    default, allowed = ALLOWED[hp['predictor_type']]
    if loss != AUTO and loss not in allowed:
        raise invalid(
            f"Hyperparameter 'loss': value '{loss}' is not valid for predictor_type '{hp['predictor_type']}'; "
            f"allowed: {', '.join(['auto', *allowed])}"
        )
    hp['loss'] = default if loss == AUTO else loss
    return hp


def _positive_weight(text):
    if text is None:
        return 1.0
    value = str(text).strip()
    if value.lower() in ('auto', 'balanced'):
        return value.lower()
    try:
        number = float(value)
    except ValueError:
        number = float('nan')
    if not number > 0 or number == float('inf'):
        raise invalid(f"Hyperparameter '{_POSITIVE_WEIGHT}': value {value!r} is not a positive float or one of ['auto', 'balanced']")
    return number
