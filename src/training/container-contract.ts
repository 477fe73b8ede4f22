import type { TrainingJobSpec } from './training-job-record.js';

/** Everything the contract's files and variables depend on for one instance. */
export interface InstanceContext {
  readonly jobName: string;
  readonly jobArn: string;
  readonly region: string;
  readonly spec: TrainingJobSpec;
  /** 1-based instance number: host `algo-<n>`. */
  readonly instance: number;
  /** Where the program sees the `/opt/ml` directory: `/opt/ml` in a sandbox, the instance directory otherwise. */
  readonly base: string;
  readonly numCpus: number;
  readonly numGpus: number;
}

const GROUP = 'homogeneousCluster';

/** `algo-1` … `algo-N`. */
export function hostNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `algo-${i + 1}`);
}

/** Compact JSON with sorted keys, as the toolkit's `Environment.to_env_vars` writes it. */
export function toolkitJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** `/opt/ml/input/config/resourceconfig.json` for one instance. */
export function resourceConfig(spec: TrainingJobSpec, instance: number): Record<string, unknown> {
  return clusterResourceConfig(spec.ResourceConfig?.InstanceCount ?? 1, spec.ResourceConfig?.InstanceType ?? 'ml.m5.large', instance);
}

/** resourceconfig.json of instance `instance` (1-based) in a homogeneous cluster of `count` hosts of `type` (training and processing). */
export function clusterResourceConfig(count: number, type: string, instance: number): Record<string, unknown> {
  const hosts = hostNames(count).sort();
  return {
    current_host: `algo-${instance}`,
    current_instance_type: type,
    current_group_name: GROUP,
    hosts,
    instance_groups: [{ instance_group_name: GROUP, instance_type: type, hosts }],
    network_interface_name: 'eth0',
  };
}

/** `/opt/ml/input/config/inputdataconfig.json`: one entry per channel. */
export function inputDataConfig(spec: TrainingJobSpec): Record<string, Record<string, string>> {
  const config: Record<string, Record<string, string>> = {};
  for (const channel of spec.InputDataConfig ?? []) {
    const name = channel.ChannelName as string;
    config[name] = {
      ...(channel.ContentType !== undefined ? { ContentType: channel.ContentType } : {}),
      TrainingInputMode: channel.InputMode ?? spec.AlgorithmSpecification?.TrainingInputMode ?? 'File',
      S3DistributionType: channel.DataSource?.S3DataSource?.S3DataDistributionType ?? 'FullyReplicated',
      RecordWrapperType: channel.RecordWrapperType ?? 'None',
    };
  }
  return config;
}

/** The config files of `/opt/ml/input/config/`, name → JSON text. */
export function configFiles(context: InstanceContext): Record<string, string> {
  const files: Record<string, string> = {
    'hyperparameters.json': JSON.stringify(context.spec.HyperParameters ?? {}),
    'resourceconfig.json': JSON.stringify(resourceConfig(context.spec, context.instance)),
    'inputdataconfig.json': JSON.stringify(inputDataConfig(context.spec)),
  };
  if (context.spec.CheckpointConfig) {
    files['checkpointconfig.json'] = JSON.stringify({ LocalPath: '/opt/ml/checkpoints', ...context.spec.CheckpointConfig });
  }
  if (context.spec.AlgorithmSpecification?.MetricDefinitions) {
    files['metric-definition-regex.json'] = JSON.stringify(context.spec.AlgorithmSpecification.MetricDefinitions);
  }
  return files;
}

/** A hyperparameter value as the toolkit decodes it: JSON if it parses, else the raw string. */
export function decodeValue(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** `--key value` arguments as the toolkit builds them (sorted keys; one-letter keys `-k`; dicts `k1=v1,k2=v2`). */
export function userArgs(hps: Readonly<Record<string, unknown>>): string[] {
  const args: string[] = [];
  for (const key of Object.keys(hps).sort()) {
    const value = hps[key];
    const text =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value as Record<string, unknown>)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(',')
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
    args.push(key.length === 1 ? `-${key}` : `--${key}`, text);
  }
  return args;
}

function envValue(value: unknown): string {
  return typeof value === 'string' ? value : toolkitJson(value);
}

/**
 * Every variable of the contract (§2.4) for one instance: SM_* as the training toolkit sets them,
 * TRAINING_JOB_NAME/ARN, CURRENT_HOST, SAGEMAKER_* and the job's Environment (which wins).
 */
export function contractEnvironment(context: InstanceContext): Record<string, string> {
  const { spec, base } = context;
  const all = spec.HyperParameters ?? {};
  const hps: Record<string, unknown> = {};
  const frameworkParams: Record<string, unknown> = {};
  const reserved = new Set([
    'sagemaker_program',
    'sagemaker_submit_directory',
    'sagemaker_container_log_level',
    'sagemaker_job_name',
    'sagemaker_region',
    'sagemaker_enable_cloudwatch_metrics',
    'sagemaker_s3_output',
    '_tuning_objective_metric',
  ]);
  for (const [key, raw] of Object.entries(all)) {
    if (reserved.has(key)) continue;
    if (key.startsWith('sagemaker_')) frameworkParams[key] = decodeValue(raw);
    else hps[key] = decodeValue(raw);
  }
  const program = all['sagemaker_program'] !== undefined ? envValue(decodeValue(all['sagemaker_program'])) : '';
  const submit = all['sagemaker_submit_directory'] !== undefined ? envValue(decodeValue(all['sagemaker_submit_directory'])) : `${base}/code`;
  const logLevel = all['sagemaker_container_log_level'] !== undefined ? Number(decodeValue(all['sagemaker_container_log_level'])) : 20;
  const channels = (spec.InputDataConfig ?? []).map((c) => c.ChannelName as string).sort();
  const hosts = hostNames(spec.ResourceConfig?.InstanceCount ?? 1).sort();
  const currentHost = `algo-${context.instance}`;
  const type = spec.ResourceConfig?.InstanceType ?? 'ml.m5.large';
  const resource = resourceConfig(spec, context.instance);
  const inputData = inputDataConfig(spec);
  const channelDirs = Object.fromEntries(channels.map((c) => [c, `${base}/input/data/${c}`]));
  const moduleName = program.replace(/\.(py|sh)$/, '');
  const instanceGroups = [{ instance_group_name: GROUP, instance_type: type, hosts }];
  const training: Record<string, unknown> = {
    additional_framework_parameters: frameworkParams,
    channel_input_dirs: channelDirs,
    current_host: currentHost,
    current_instance_group: GROUP,
    current_instance_group_hosts: hosts,
    current_instance_type: type,
    distribution_hosts: [],
    distribution_instance_groups: [],
    framework_module: null,
    hosts,
    hyperparameters: hps,
    input_config_dir: `${base}/input/config`,
    input_data_config: inputData,
    input_dir: `${base}/input`,
    instance_groups: [GROUP],
    instance_groups_dict: { [GROUP]: instanceGroups[0] },
    is_hetero: false,
    is_master: currentHost === hosts[0],
    is_modelparallel_enabled: null,
    is_smddpmprun_installed: false,
    job_name: context.jobName,
    log_level: logLevel,
    master_hostname: hosts[0],
    model_dir: `${base}/model`,
    module_dir: submit,
    module_name: moduleName,
    network_interface_name: 'eth0',
    num_cpus: context.numCpus,
    num_gpus: context.numGpus,
    num_neurons: 0,
    output_data_dir: `${base}/output/data`,
    output_dir: `${base}/output`,
    output_intermediate_dir: `${base}/output/intermediate`,
    resource_config: resource,
    user_entry_point: program,
  };
  const env: Record<string, string> = {
    SAGEMAKER_BASE_DIR: base,
    SM_MODEL_DIR: `${base}/model`,
    SM_CHANNELS: toolkitJson(channels),
    SM_HPS: toolkitJson(hps),
    SM_USER_ARGS: toolkitJson(userArgs(hps)),
    SM_CURRENT_HOST: currentHost,
    SM_HOSTS: toolkitJson(hosts),
    SM_CURRENT_INSTANCE_TYPE: type,
    SM_CURRENT_INSTANCE_GROUP: GROUP,
    SM_CURRENT_INSTANCE_GROUP_HOSTS: toolkitJson(hosts),
    SM_INSTANCE_GROUPS: toolkitJson([GROUP]),
    SM_INSTANCE_GROUPS_DICT: toolkitJson({ [GROUP]: instanceGroups[0] }),
    SM_DISTRIBUTION_INSTANCE_GROUPS: '[]',
    SM_IS_HETERO: 'false',
    SM_NETWORK_INTERFACE_NAME: 'eth0',
    SM_NUM_CPUS: String(context.numCpus),
    SM_NUM_GPUS: String(context.numGpus),
    SM_NUM_NEURONS: '0',
    SM_LOG_LEVEL: String(logLevel),
    SM_INPUT_DIR: `${base}/input`,
    SM_INPUT_CONFIG_DIR: `${base}/input/config`,
    SM_OUTPUT_DIR: `${base}/output`,
    SM_OUTPUT_DATA_DIR: `${base}/output/data`,
    SM_OUTPUT_INTERMEDIATE_DIR: `${base}/output/intermediate`,
    SM_MODULE_NAME: moduleName,
    SM_USER_ENTRY_POINT: program,
    SM_MODULE_DIR: submit,
    SM_FRAMEWORK_MODULE: '',
    SM_FRAMEWORK_PARAMS: toolkitJson(frameworkParams),
    SM_RESOURCE_CONFIG: toolkitJson(resource),
    SM_INPUT_DATA_CONFIG: toolkitJson(inputData),
    SM_TRAINING_ENV: toolkitJson(training),
    SM_INPUT_TRAINING_CONFIG_FILE: `${base}/input/config/hyperparameters.json`,
    SM_INPUT_DATA_CONFIG_FILE: `${base}/input/config/inputdataconfig.json`,
    SM_CHECKPOINT_CONFIG_FILE: `${base}/input/config/checkpointconfig.json`,
    TRAINING_JOB_NAME: context.jobName,
    TRAINING_JOB_ARN: context.jobArn,
    SAGEMAKER_JOB_NAME: context.jobName,
    SAGEMAKER_REGION: context.region,
    AWS_REGION: context.region,
    CURRENT_HOST: currentHost,
  };
  for (const channel of channels) env[`SM_CHANNEL_${channel.toUpperCase()}`] = channelDirs[channel] as string;
  for (const [key, value] of Object.entries(hps)) env[`SM_HP_${key.toUpperCase()}`] = envValue(value);
  return { ...env, ...(spec.Environment ?? {}) };
}
