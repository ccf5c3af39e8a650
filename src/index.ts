/** The library: `import { openIndex, importPaths, matchCommits } from 'listindex'`. */
export { importPaths } from './import/pipeline.js';
export type { ImportOptions, ImportSummary, ImportProgress } from './import/pipeline.js';
export { matchCommits } from './import/commit-step.js';
export type { CommitOptions, CommitSummary } from './import/commit-step.js';
export { openIndex } from './api/open-index.js';
export type { ListIndex } from './api/open-index.js';
export { ListindexError } from './errors.js';
export type { ErrorCode } from './errors.js';
export type * from './types.js';
export { SCHEMA_VERSION } from './store/schema.js';
