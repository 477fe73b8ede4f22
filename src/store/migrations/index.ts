import type { Migration } from 'kysely';
import * as m0001 from './0001-tags.js';
import * as m0002 from './0002-models.js';
import * as m0003 from './0003-logs.js';
import * as m0004 from './0004-training-metrics.js';
import * as m0005images from './0005-images.js';
import * as m0006trainingJobs from './0006-training-jobs.js';
import * as m0007filesystems from './0007-filesystems.js';
import * as m0008endpoints from './0008-endpoints.js';
import * as m0009processingJobs from './0009-processing-jobs.js';
import * as m0010transformJobs from './0010-transform-jobs.js';

/**
 * Every schema migration, in order. Names sort lexically; add a new file and one line here.
 * A migration must work on both SQLite and PostgreSQL.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-tags': m0001,
  '0002-models': m0002,
  '0003-logs': m0003,
  '0004-training-metrics': m0004,
  '0005-images': m0005images,
  '0006-training-jobs': m0006trainingJobs,
  '0007-filesystems': m0007filesystems,
  '0008-endpoints': m0008endpoints,
  '0009-processing-jobs': m0009processingJobs,
  '0010-transform-jobs': m0010transformJobs,
};
