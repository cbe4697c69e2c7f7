/**
 * Specs published to S3 as atomic commits, and their loader. See README.md beside this file for
 * the format.
 */
export { COMMIT_FORMAT, commitIdOf, shortCommit, type CommitManifest, type CommitPointer, type GitMetadata, type ManifestFile } from './commit.js';
export { PublishedSpecsError, type SpecSourceErrorKind } from './errors.js';
export { relativeToCheckout, specFilesToPublish, specRoot, type FilesToPublish } from './files.js';
export { isDirty, readGitCheckout, type GitCheckout } from './git.js';
export { listCommits, type CommitHistory, type CommitSummary, type ListCommitsOptions } from './history.js';
export { loadCommit, loadPublishedSpecs, type CommitLoadResult, type LoadPublishedOptions, type PublishedSpecsResult } from './load.js';
export { bucketNameProblem, keys, normalizePrefix, parseS3Url, s3Url, specLocation, type SpecLocation } from './location.js';
export { publishSpecs, resolveCommit, rollbackTo, type PublishedObject, type PublishOptions, type PublishResult, type RollbackOptions, type RollbackResult } from './publish.js';
export { removalsSince, type RemovalsResult } from './removals.js';
export { createS3Client } from './s3.js';
