import { ResourceLimitExceeded, ValidationException } from '../errors/index.js';
import { parseResourceArn } from './arn.js';
import type { ListPage, PageCursor } from './list-request.js';
import type { Tag, TagRepository } from './tag-repository.js';

/** Most tags one resource may carry (SageMaker's limit). */
export const maxTagsPerResource = 50;

/**
 * Checks that the resource an ARN names exists; throws the resource's own not-found
 * ValidationException (`Could not find model "<arn>".` …) if it does not.
 * `name` is the name from the ARN (lower-cased, as SageMaker writes ARNs).
 */
export type ResourceLookup = (name: string, arn: string) => Promise<void>;

/**
 * Tags on any SageMaker resource (AddTags, ListTags, DeleteTags, and tags given at Create*).
 * Each resource service registers its ARN type with a lookup so that tagging an ARN that
 * names nothing fails with ValidationException, as SageMaker does.
 */
export class TagService {
  private readonly lookups = new Map<string, ResourceLookup>();

  constructor(private readonly repository: TagRepository) {}

  /** Makes ARNs of `type` (`model`, `training-job` …) taggable. */
  registerResourceType(type: string, lookup: ResourceLookup): void {
    this.lookups.set(type, lookup);
  }

  /** Throws ValidationException unless `arn` names an existing resource of a registered type. */
  async assertExists(arn: string): Promise<void> {
    const parsed = parseResourceArn(arn);
    const lookup = parsed ? this.lookups.get(parsed.type) : undefined;
    if (!parsed || !lookup) throw new ValidationException(`Could not find resource "${arn}".`);
    await lookup(parsed.name, arn);
  }

  /**
   * Adds tags (overwriting values of existing keys) to an existing resource; returns the tags
   * given. Throws ValidationException for an unknown ARN and ResourceLimitExceeded past 50 tags.
   */
  async add(arn: string, tags: readonly Tag[]): Promise<readonly Tag[]> {
    await this.assertExists(arn);
    await this.put(arn, tags);
    return tags;
  }

  /** Stores tags for a resource just created (no existence check). Throws ResourceLimitExceeded past 50 tags. */
  async put(arn: string, tags: readonly Tag[]): Promise<void> {
    if (tags.length === 0) return;
    const deduplicated = [...new Map(tags.map((tag) => [tag.key, tag])).values()];
    if (!(await this.repository.put(arn, deduplicated, maxTagsPerResource))) {
      throw new ResourceLimitExceeded(`Tag limit exceeded: a resource can have at most ${maxTagsPerResource} tags (${arn}).`);
    }
  }

  /** One page of a resource's tags in key order, after `after` (the cursor's `name` is the last key). */
  async list(arn: string, maxResults: number, after?: PageCursor): Promise<ListPage<Tag>> {
    await this.assertExists(arn);
    const all = await this.repository.list(arn);
    const start = after ? all.findIndex((tag) => tag.key > after.name) : 0;
    const rest = start < 0 ? [] : all.slice(start);
    const items = rest.slice(0, maxResults);
    const last = items[items.length - 1];
    return rest.length > maxResults && last ? { items, next: { value: '', name: last.key } } : { items };
  }

  /** Removes tags by key from an existing resource. */
  async remove(arn: string, keys: readonly string[]): Promise<void> {
    await this.assertExists(arn);
    await this.repository.delete(arn, keys);
  }

  /** Forgets every tag of a deleted resource. */
  async forget(arn: string): Promise<void> {
    await this.repository.deleteAll(arn);
  }
}
