/**
 * Lance's settings that come from the environment, for the local store. Import this module before
 * '@lancedb/lancedb' (its logger reads them when it loads); a value the user set is kept.
 * - LANCEDB_LOG=error: Lance's warnings speak to its developers, not to people indexing videos (an IVF build over
 *   video frames, many of them near-duplicates, printed 189 "partition N is empty, skipping" lines in one run).
 * - LANCE_INCLUDE_VECTOR_CENTROIDS=false: index statistics without the centroids, which the store never reads (it
 *   reads row counts), and without the warning about that default on every read.
 */
process.env.LANCEDB_LOG ??= 'error';
process.env.LANCE_INCLUDE_VECTOR_CENTROIDS ??= 'false';
