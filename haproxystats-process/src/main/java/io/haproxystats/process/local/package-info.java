/**
 * Local mode, the original's processor: polls from src-dir computed on this load balancer.
 *
 * <pre>
 * LocalIntake ─→ spool.SourceDir ─→ WorkQueue ─→ Workers ─→ PollHandler.handle(dir)
 *   PollReader (sizes, heap check, exclude files) ─→ compute.PollComputation ─→ delivery.FanOut
 *   ─→ finisher: delete (rename to .deleting-, then delete) · quarantine · retry (only the
 *      dispatchers without it, every [graphite] delay)
 * </pre>
 */
package io.haproxystats.process.local;
