/**
 * Time as the daemons see it: {@link io.haproxystats.common.time.Clock}, injected everywhere a
 * schedule, a deadline, a backoff or an age is computed.
 */
package io.haproxystats.common.time;
