export type { Executor, ExecutionResult, ExecutionState, InstanceLaunch, InstanceResult, LaunchSpec, SidecarLaunch, DirectoryBind } from './executor.js';
export { ProcessExecutor } from './process/process-executor.js';
export type { ProcessExecutorConfig } from './process/process-executor.js';
export { runSupervisor } from './process/supervisor.js';
export { bubblewrapArgv, bubblewrapWorks, hostsFileText } from './process/sandbox.js';
