package io.haproxystats.process.testing;

import java.util.List;

/** The hostile names of HostileNamesTest: what a crafted HAProxy configuration may call a proxy or server. */
public final class HostileNames {

    private HostileNames() {}

    /** The names: whitespace, path separators, tags, non-ASCII, control characters, 10,000 characters, CSV quoting. */
    public static final List<String> CORPUS = List.of(
            "fe with space",
            "tab\tname",
            "slash/../../etc",
            "semi;tag=1",
            "ünïcödé✓",
            "dots.and.more",
            "ctrl\u0001\u007fchars",
            "cr\rname",
            "x".repeat(10_000),
            "nbsp\u00a0figure\u2007narrow\u202fzero\u200bline\u2028end",
            "\"quoted,comma\"");
}
