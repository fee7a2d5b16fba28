package io.haproxystats.common.haproxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one rule for what may stand in a Graphite path component, shared by the processor's
 * sanitising of HAProxy names (data: replaced) and the configuration's path options (settings:
 * refused). Two readers bound it:
 *
 * <ul>
 *   <li>carbon's line receiver splits a line with Python's {@code str.split()}, which splits on every
 *       Unicode space (U+00A0, U+2007, U+202F, U+2028 ...), not only ASCII whitespace: such a
 *       character in a name gives a line of four fields, which carbon drops. So every character
 *       for which {@link Character#isWhitespace}, {@link Character#isSpaceChar} or
 *       {@link Character#isISOControl} holds breaks a component, and so do format characters
 *       (U+200B, U+FEFF, the bidirectional controls: invisible, they make two names that print
 *       alike) and unpaired surrogates (not encodable in UTF-8). {@code .} is the path separator,
 *       {@code /} a directory in carbon's whisper tree, {@code ;} the start of Graphite 1.1 tags.
 *   <li>whisper stores a component as a directory or file name ({@code <component>.wsp}), and
 *       Linux file names stop at 255 bytes: a component is at most {@link #MAX_COMPONENT_BYTES}
 *       bytes of UTF-8. A longer HAProxy name keeps its first bytes (whole characters) and gets a
 *       suffix {@code _} + 16 hex digits of the SHA-256 of the whole sanitised name, so two long
 *       names that differ anywhere stay two series, and the same name always gives the same
 *       component (across restarts, processors and versions).
 * </ul>
 */
public final class GraphiteNames {

    /** The most UTF-8 bytes of one component: 200, so that {@code <component>.wsp} stays under 255. */
    public static final int MAX_COMPONENT_BYTES = 200;

    /** {@code _} and 16 hex digits: the stable suffix of a shortened component. */
    static final int SUFFIX_BYTES = 17;

    private GraphiteNames() {}

    /** True when the code point cannot stand in a component (see the class comment). */
    public static boolean breaksComponent(int c) {
        if (c < 0x80) {
            return c <= ' ' || c == '.' || c == '/' || c == ';' || c == 0x7f;
        }
        if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.SURROGATE;
    }

    /**
     * {@code name} as one component: each code point that {@link #breaksComponent breaks} one
     * becomes {@code _}, the empty name {@code _}, and a result over {@link #MAX_COMPONENT_BYTES}
     * bytes is {@link #capped capped}. Anything else, non-ASCII included, is kept.
     */
    public static String sanitise(String name) {
        if (name.isEmpty()) {
            return "_"; // an empty name would leave an empty component: frontend..bin
        }
        StringBuilder out = null;
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            int n = Character.charCount(c);
            if (breaksComponent(c)) {
                if (out == null) {
                    out = new StringBuilder(name.length()).append(name, 0, i);
                }
                out.append('_');
            } else if (out != null) {
                out.appendCodePoint(c);
            }
            i += n;
        }
        return capped(out == null ? name : out.toString());
    }

    /**
     * A component of at most {@link #MAX_COMPONENT_BYTES} UTF-8 bytes: {@code component} itself when
     * it fits, else its longest prefix of whole code points that leaves room for the suffix, then
     * {@code _} and the first 16 hex digits of the SHA-256 of all of {@code component}'s UTF-8.
     */
    public static String capped(String component) {
        if (component.length() * 3 <= MAX_COMPONENT_BYTES) {
            return component; // a UTF-16 unit is at most 3 bytes of UTF-8 (a pair is 4 for 2)
        }
        byte[] utf8 = component.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_COMPONENT_BYTES) {
            return component;
        }
        int budget = MAX_COMPONENT_BYTES - SUFFIX_BYTES;
        int bytes = 0;
        int end = 0;
        while (end < component.length()) {
            int c = component.codePointAt(end);
            int size = utf8Bytes(c);
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(c);
        }
        return component.substring(0, end) + "_" + HexFormat.of().formatHex(sha256(utf8), 0, 8);
    }

    /** The UTF-8 length of {@code s}, counted without encoding it. */
    public static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            bytes += utf8Bytes(c);
            i += Character.charCount(c);
        }
        return bytes;
    }

    private static int utf8Bytes(int c) {
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        if (c < 0x10000) {
            return 3; // an unpaired surrogate never gets here: it breaks a component
        }
        return 4;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
