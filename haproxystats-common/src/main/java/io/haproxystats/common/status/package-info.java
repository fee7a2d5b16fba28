/** The status files the nagios checks read ({@link io.haproxystats.common.status.StatusFile}). */
package io.haproxystats.common.status;
