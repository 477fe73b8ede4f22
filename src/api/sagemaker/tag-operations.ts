import type { AddTagsInput, AddTagsOutput, DeleteTagsInput, ListTagsInput, ListTagsOutput, Tag as WireTag } from '@aws-sdk/client-sagemaker';
import type { Tag, TagService } from '../../resources/index.js';
import type { OperationTable } from './operation-table.js';
import { decodePageToken, encodePageToken } from './page-token.js';

/** Wire `Tags` (validated: Key and Value present) → internal tags. */
export function tagsFromWire(tags: readonly WireTag[] | undefined): Tag[] {
  return (tags ?? []).map((tag) => ({ key: tag.Key as string, value: tag.Value ?? '' }));
}

/** Internal tags → wire `Tags`. */
export function tagsToWire(tags: readonly Tag[]): WireTag[] {
  return tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
}

/** AddTags, ListTags and DeleteTags on the ARN of any registered resource type. */
export function tagOperations(tags: TagService): OperationTable {
  return {
    async AddTags(input) {
      const request = input as unknown as AddTagsInput;
      const added = await tags.add(request.ResourceArn as string, tagsFromWire(request.Tags));
      const output: AddTagsOutput = { Tags: tagsToWire(added) };
      return output;
    },

    async ListTags(input) {
      const request = input as unknown as ListTagsInput;
      const after = request.NextToken !== undefined ? decodePageToken(request.NextToken, 'Key', 'Ascending') : undefined;
      const page = await tags.list(request.ResourceArn as string, request.MaxResults ?? 50, after);
      const output: ListTagsOutput = {
        Tags: tagsToWire(page.items),
        NextToken: page.next ? encodePageToken('Key', 'Ascending', page.next) : undefined,
      };
      return output;
    },

    async DeleteTags(input) {
      const request = input as unknown as DeleteTagsInput;
      await tags.remove(request.ResourceArn as string, request.TagKeys ?? []);
      return {};
    },
  };
}
