export { resourceArn, parseResourceArn } from './arn.js';
export type { ArnScope, ParsedArn, SageMakerResourceType } from './arn.js';
export type { ListRequest, ListPage, PageCursor } from './list-request.js';
export type { Tag, TagRepository } from './tag-repository.js';
export type { JobRepository } from './job-repository.js';
export { TagService, maxTagsPerResource } from './tag-service.js';
export type { ResourceLookup } from './tag-service.js';
