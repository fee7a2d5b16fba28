package io.haproxystats.common.haproxy;

/** Text received from a socket, quoted in an error message: short, one line, printable. */
public final class Excerpt {

    private Excerpt() {}

    /** At most 60 characters of {@code s}, control characters shown as '?'. */
    public static String of(String s) {
        String cut = s.length() <= 60 ? s : s.substring(0, 57) + "...";
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
