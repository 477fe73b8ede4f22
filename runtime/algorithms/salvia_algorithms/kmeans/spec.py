"""K-Means hyperparameters as SageMaker documents them (names, ranges, defaults)."""

from ..hyperparameters import AUTO, Boolean, CategoricalList, Categorical, Continuous, Integer

SPEC = [
    Integer('k', min=1, required=True),
    Integer('feature_dim', min=1, required=True),
    Integer('mini_batch_size', min=1, default=5000),
    Integer('epochs', min=1, default=1),
    Categorical('init_method', ['random', 'kmeans++'], default='random'),
    Integer('extra_center_factor', min=1, default=AUTO, auto=True),
    Integer('half_life_time_size', min=0, default=0),
    Categorical('local_lloyd_init_method', ['random', 'kmeans++'], default='kmeans++'),
    Integer('local_lloyd_max_iter', min=1, default=300),
    Integer('local_lloyd_num_trials', min=1, default=AUTO, auto=True),
    Continuous('local_lloyd_tol', min=0.0, max=1.0, default=0.0001),
    CategoricalList('eval_metrics', ['msd', 'ssd'], default=['msd']),
    # The SageMaker SDK's KMeans estimator always sends force_dense=True.
    Boolean('force_dense', default=True),
]

# What ``auto`` means here (SageMaker does not document it): see train.resolve_auto.
AUTO_EXTRA_CENTER_FACTOR = 10
AUTO_LOCAL_LLOYD_NUM_TRIALS = 10
