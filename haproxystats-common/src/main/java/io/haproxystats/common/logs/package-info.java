/**
 * HAProxy's request timers as mergeable sketches (issue 29): what the puller's log receiver
 * writes into a poll ({@link io.haproxystats.common.logs.LogTimersFile}) and the processor reads.
 */
package io.haproxystats.common.logs;
