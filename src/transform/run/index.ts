export { HostedTransformRunner } from './hosted-transform-runner.js';
export type { HostedTransformRunnerConfig, HostedTransformRunnerDeps } from './hosted-transform-runner.js';
