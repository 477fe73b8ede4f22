export { LogService } from './log-service.js';
export { LogStreamWriter } from './log-stream-writer.js';
export type { LogAppender, LogStreamWriterOptions } from './log-stream-writer.js';
export type { LogEventInput, LogServiceOptions, LogGroupInfo, LogStreamInfo, OutputLogEvent, FilteredLogEvent, Page } from './log-service.js';
export type { LogRepository, LogGroupRecord, LogStreamRecord, LogEventRecord, EventPosition } from './log-repository.js';
export { LogsResourceNotFound, LogsResourceAlreadyExists, InvalidParameter } from '../errors/index.js';
export { compileFilterPattern } from './filter-pattern.js';
export type { MessageMatcher } from './filter-pattern.js';
