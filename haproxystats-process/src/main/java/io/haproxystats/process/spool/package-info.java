/**
 * The file system the roles share: src-dir (local mode and the edge), quarantine (every role),
 * the exclude files (local and central).
 *
 * <pre>
 * SourceDir.open: create, check, clear half-done deletes, lock, watch
 *     IncomingWatcher (directory-watcher; start-up scan; re-armed and rescanned every
 *                      liveness-check-interval) ─→ WorkQueue (oldest first)
 * Quarantine: a poll or record that cannot be processed, kept with its reason, bounded
 * ExcludeLists: exclude-frontends / exclude-backends, read at each poll
 * </pre>
 */
package io.haproxystats.process.spool;
