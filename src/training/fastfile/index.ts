export { fastFileSidecars, FastFileUnavailable, isFastFileChannel } from './fastfile-sidecars.js';
export type { FastFileOptions } from './fastfile-sidecars.js';
export { fuseProblem } from './fuse-check.js';
export { rcloneEnv, rcloneMountArgs, RCLONE_REMOTE } from './rclone-mount.js';
export type { RcloneMount } from './rclone-mount.js';
