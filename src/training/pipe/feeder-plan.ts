import type { SidecarS3Access } from '../sidecar-s3.js';

/** One piece of a record: an object's bytes or a literal value (a non-`-ref` augmented-manifest attribute). */
export type PipePart = { readonly bucket: string; readonly key: string } | { readonly text: string };

/** One item of a channel: an object (one part) or an augmented-manifest line (one part per attribute). */
export interface PipeItem {
  readonly parts: readonly PipePart[];
}

/** One Pipe channel as the feeder of one instance streams it. */
export interface PipeChannelPlan {
  /** The FIFOs' path below `dataDir` without `_<epoch>` (a training channel's name, or e.g. `processing/input/data`). */
  readonly name: string;
  /** All items in base order (sorted by key when sharded); epochItems picks this instance's per epoch. */
  readonly items: readonly PipeItem[];
  readonly seed?: number | string;
  readonly sharded: boolean;
  readonly gzip: boolean;
  /** RecordWrapperType RecordIO: every part is one RecordIO record. */
  readonly recordIO: boolean;
}

/** The feeder's input (a JSON file, mode 0600): where to read, where the FIFOs go, what to stream. */
export interface FeederPlan {
  readonly s3: SidecarS3Access;
  /** The instance's `input/data` directory on the host: FIFOs `<channel>_<epoch>` are created here. */
  readonly dataDir: string;
  /** Written once every channel's `_0` FIFO exists (the sidecar's readiness). */
  readonly readyFile: string;
  /** Where a failure's reason is written (the job's FailureReason). */
  readonly failureFile: string;
  readonly instanceCount: number;
  /** 0 = algo-1. */
  readonly instanceIndex: number;
  readonly channels: readonly PipeChannelPlan[];
}
