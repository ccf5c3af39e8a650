/** Patch detection: subjects, diffs, hashes, trailers, and how a mail is classified. */
export { parseSubject, parseSeriesMarker, parseVersion, seriesNameFromCover, splitPrefixes } from './subject.js';
export type { SubjectInfo } from './subject.js';
export { splitPatch } from './diff.js';
export type { SplitPatch } from './diff.js';
export { cleanContent, extractPatchContent } from './content.js';
export type { PatchContent } from './content.js';
export { parsePullRequest } from './pull-request.js';
export { patchworkHash } from './hash.js';
export { diffFiles, diffstat, formatDiffstat } from './diff-files.js';
export type { DiffFile, Diffstat } from './diff-files.js';
export { canonicalTrailerName, findTrailers, isPersonTrailer } from './trailers.js';
export type { Trailer, TrailerPerson } from './trailers.js';
export { collectTrailers, findPatchTrailers, sameAddress } from './trailer-collection.js';
export type { CollectOptions, CollectedTrailer, TrailerSource } from './trailer-collection.js';
export { classifyMessage } from './classify.js';
export type { ClassifyInput, MessageKind } from './classify.js';
