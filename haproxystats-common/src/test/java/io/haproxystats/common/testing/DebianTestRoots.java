package io.haproxystats.common.testing;

import java.nio.file.Path;

/**
 * The minimal Debian roots setup.sh builds with debootstrap (as root) for the tests that run in a
 * chroot: {@code bookworm} (the package test) and {@code bullseye-haproxy} / {@code trixie-haproxy}
 * (HAProxy 2.2 and 3.0), each a tar in {@code $HAPROXYSTATS_TEST_ROOTS}
 * (default {@code /var/cache/haproxystats-test-roots}).
 */
public final class DebianTestRoots {

    private DebianTestRoots() {}

    /** The tar of the named root; it may not exist (setup.sh not run as root, or no network). */
    public static Path tarball(String name) {
        String dir = System.getenv().getOrDefault("HAPROXYSTATS_TEST_ROOTS", "/var/cache/haproxystats-test-roots");
        return Path.of(dir, name + ".tar");
    }
}
