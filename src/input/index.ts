/** Input stage: find the sources, open them (.gz too), cut them into raw messages. */
export { expandInputs } from './sources.js';
export type { ExpandedInputs, SourceSpec } from './sources.js';
export { readSource } from './read-source.js';
export type { ReadOptions, SourceMessage } from './read-source.js';
export { splitMbox, MboxSplitter, DEFAULT_MAX_MESSAGE_BYTES, OVERSIZED_HEAD_BYTES } from './mbox-splitter.js';
export type { MboxPart, SplitOptions } from './mbox-splitter.js';
export { unescapeFromLines } from './unescape.js';
