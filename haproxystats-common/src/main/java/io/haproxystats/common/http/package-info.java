/**
 * A small HTTP(S) endpoint on the JDK's own server ({@code jdk.httpserver}): bind, optional basic
 * authentication and TLS, security headers on every answer. Shared by the read-only HTTP views
 * (the fleet page); it knows nothing of what they serve.
 */
package io.haproxystats.common.http;
