export { pipeSidecars, pipeFeeders, channelInputMode } from './pipe-sidecars.js';
export type { PipeSidecarOptions, PipeInput } from './pipe-sidecars.js';
export { validatePipeChannel } from './pipe-validation.js';
export { recordIOHeader, recordIOPadding, recordIOParts, recordIOFrame, RECORDIO_MAGIC, RECORDIO_MAX_PART } from './record-io.js';
export type { RecordIOFlag } from './record-io.js';
export { shuffleForEpoch, epochItems } from './epoch-order.js';
export { seededRandom } from './seeded-random.js';
export type { EpochSelection } from './epoch-order.js';
export type { FeederPlan, PipeChannelPlan, PipeItem, PipePart } from './feeder-plan.js';
