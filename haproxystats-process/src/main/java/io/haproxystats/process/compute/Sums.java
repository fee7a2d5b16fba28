package io.haproxystats.process.compute;

/**
 * Sums that never wrap: counters near 2^63 (a broken or hostile answer; two of 9223372036854775807
 * summed to -2) stop at the long range's ends instead of turning negative, so no wrapped value is
 * ever sent.
 */
final class Sums {

    private Sums() {}

    static long add(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }
}
