import type { Transaction } from 'kysely';
import { lockKey, type Database } from '../database.js';
import type { Schema } from '../schema.js';

/** A tag row as the tags repository hands it out. */
export interface TagRow {
  readonly key: string;
  readonly value: string;
}

/**
 * Inside a resource's create transaction: the new resource's tags, replacing any left under its ARN
 * (by a resource of the same name deleted before). The caller has checked the count.
 */
export async function replaceTags(trx: Transaction<Schema>, resourceArn: string, tags: readonly TagRow[]): Promise<void> {
  const arn = resourceArn.toLowerCase();
  await trx.deleteFrom('tags').where('resource_arn', '=', arn).execute();
  const unique = [...new Map(tags.map((tag) => [tag.key, tag.value])).entries()];
  if (unique.length === 0) return;
  await trx
    .insertInto('tags')
    .values(unique.map(([key, value]) => ({ resource_arn: arn, tag_key: key, tag_value: value })))
    .execute();
}

/**
 * Tags of SageMaker resources in the `tags` table, keyed by lower-cased ARN (SageMaker matches
 * tag ARNs case-insensitively). Implements src/resources' TagRepository port.
 */
export class KyselyTagRepository {
  constructor(private readonly database: Database) {}

  async list(resourceArn: string): Promise<TagRow[]> {
    const rows = await this.database.db.selectFrom('tags').select(['tag_key', 'tag_value']).where('resource_arn', '=', resourceArn.toLowerCase()).execute();
    // Sorted here (not in SQL) so that the order is byte-wise on every dialect.
    return rows.map((row) => ({ key: row.tag_key, value: row.tag_value })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async put(resourceArn: string, tags: readonly TagRow[], limit: number): Promise<boolean> {
    const arn = resourceArn.toLowerCase();
    return this.database.db.transaction().execute(async (trx) => {
      // Read-check-write: serialise puts on one resource so concurrent AddTags cannot pass the limit together.
      await lockKey(trx, this.database.dialect, `tags:${arn}`);
      const existing = await trx.selectFrom('tags').select('tag_key').where('resource_arn', '=', arn).execute();
      const keys = new Set(existing.map((row) => row.tag_key));
      for (const tag of tags) keys.add(tag.key);
      if (keys.size > limit) return false;
      for (const tag of tags) {
        await trx
          .insertInto('tags')
          .values({ resource_arn: arn, tag_key: tag.key, tag_value: tag.value })
          .onConflict((oc) => oc.columns(['resource_arn', 'tag_key']).doUpdateSet({ tag_value: tag.value }))
          .execute();
      }
      return true;
    });
  }

  async delete(resourceArn: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.database.db
      .deleteFrom('tags')
      .where('resource_arn', '=', resourceArn.toLowerCase())
      .where('tag_key', 'in', [...keys])
      .execute();
  }

  async deleteAll(resourceArn: string): Promise<void> {
    await this.database.db.deleteFrom('tags').where('resource_arn', '=', resourceArn.toLowerCase()).execute();
  }
}
