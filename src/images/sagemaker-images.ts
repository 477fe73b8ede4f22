/** The built-in algorithms the platform ships (issue 4 implements their `train` and `serve`). */
export type BuiltinAlgorithm = 'xgboost' | 'linear-learner' | 'kmeans';

/** Frameworks whose SageMaker images run user scripts through the script-mode runner. */
export type Framework = 'sklearn' | 'pytorch' | 'tensorflow' | 'huggingface' | 'xgboost' | 'mxnet';

/**
 * Repositories of SageMaker's built-in algorithm images (every region's registry account uses the
 * same names), plus the short names `xgboost`, `linear-learner`, `kmeans`. `sagemaker-xgboost` is
 * also the XGBoost framework image: see {@link frameworkRepositories}.
 */
export const builtinRepositories: Readonly<Record<string, BuiltinAlgorithm>> = {
  'sagemaker-xgboost': 'xgboost',
  xgboost: 'xgboost',
  'linear-learner': 'linear-learner',
  kmeans: 'kmeans',
};

/** Repositories of SageMaker's framework images (training and inference) and the framework each runs. */
export const frameworkRepositories: Readonly<Record<string, Framework>> = {
  'sagemaker-scikit-learn': 'sklearn',
  'sagemaker-xgboost': 'xgboost',
  'pytorch-training': 'pytorch',
  'pytorch-inference': 'pytorch',
  'sagemaker-pytorch': 'pytorch',
  'tensorflow-training': 'tensorflow',
  'tensorflow-inference': 'tensorflow',
  'sagemaker-tensorflow': 'tensorflow',
  'sagemaker-tensorflow-scriptmode': 'tensorflow',
  'huggingface-pytorch-training': 'huggingface',
  'huggingface-pytorch-inference': 'huggingface',
  'huggingface-tensorflow-training': 'huggingface',
  'mxnet-training': 'mxnet',
  'mxnet-inference': 'mxnet',
  'sagemaker-mxnet': 'mxnet',
};

/**
 * SageMaker's own rule for the one repository that is both: the XGBoost image runs a user script
 * (framework mode) when the hyperparameters name `sagemaker_program`, else the built-in algorithm.
 */
export function isScriptModeRequest(hyperparameters: Readonly<Record<string, string>> | undefined): boolean {
  return hyperparameters !== undefined && Object.prototype.hasOwnProperty.call(hyperparameters, 'sagemaker_program');
}
