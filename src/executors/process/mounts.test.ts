import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMountInfo } from './mounts.js';

describe('mountinfo parsing', () => {
  it('reads mount points (octal escapes decoded) and file-system types after the separator', () => {
    const text = [
      '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      '431 22 0:52 / /data/jobs/x/input/data/my\\040channel rw,nosuid,nodev,relatime shared:250 master:3 - fuse.rclone s3: rw,user_id=0',
      '',
    ].join('\n');
    assert.deepEqual(parseMountInfo(text), [
      { mountPoint: '/', fsType: 'ext4' },
      { mountPoint: '/data/jobs/x/input/data/my channel', fsType: 'fuse.rclone' },
    ]);
  });
});
