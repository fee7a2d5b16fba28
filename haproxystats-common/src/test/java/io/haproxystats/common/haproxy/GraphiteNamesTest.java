package io.haproxystats.common.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The component rule against what carbon and whisper do with a name (issue 27, item 5): every
 * character Python's {@code str.split()} splits on, every control and format character becomes
 * {@code _}; a component never exceeds 200 bytes of UTF-8, and two long names stay two.
 */
class GraphiteNamesTest {

    @Test
    void everyCharacterPythonSplitsOnIsReplaced() {
        // Python 3's str.isspace() set (what carbon's line.split() splits on), as printed by
        // python3 -c "print([hex(c) for c in range(0x110000) if chr(c).isspace()])" (Python 3.11).
        int[] pythonSpaces = {
            0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
            0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000
        };
        for (int c : pythonSpaces) {
            String name = "a" + Character.toString(c) + "b";
            assertEquals("a_b", GraphiteNames.sanitise(name), Integer.toHexString(c));
            assertTrue(GraphiteNames.breaksComponent(c), Integer.toHexString(c));
        }
    }

    @Test
    void controlFormatAndUnpairedSurrogatesAreReplacedOtherCharactersKept() {
        assertEquals("a_b_c_d_e", GraphiteNames.sanitise("a\u200bb\ufeffc\u202ed\u00ade"));
        assertEquals("a_b", GraphiteNames.sanitise("a\u0000b"));
        assertEquals("a_b", GraphiteNames.sanitise("a\u0091b"));
        assertEquals("lone_", GraphiteNames.sanitise("lone\ud800"));
        assertEquals("a_b_c_d", GraphiteNames.sanitise("a.b/c;d"));
        assertEquals("_", GraphiteNames.sanitise(""));
        assertEquals("ünïcödé✓😀=,-", GraphiteNames.sanitise("ünïcödé✓😀=,-"), "printable non-ASCII and pairs kept");
        assertFalse(GraphiteNames.breaksComponent("😀".codePointAt(0)));
    }

    @Test
    void aComponentStopsAt200BytesWithAStableSuffixThatKeepsLongNamesDistinct() {
        String exact = "x".repeat(200);
        assertEquals(exact, GraphiteNames.sanitise(exact), "200 bytes fit");
        String a = "x".repeat(10_000) + "a";
        String b = "x".repeat(10_000) + "b";
        String ca = GraphiteNames.sanitise(a);
        String cb = GraphiteNames.sanitise(b);
        assertEquals(200, ca.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(ca.matches("x{183}_[0-9a-f]{16}"), ca);
        assertNotEquals(ca, cb, "names that differ only past the cut stay two series");
        assertEquals(ca, GraphiteNames.sanitise(new String(a)), "the same name always gives the same component");
        // Multi-byte characters are never cut in half: 61 x 3 bytes = 183 bytes, then the suffix.
        String wide = GraphiteNames.sanitise("€".repeat(100));
        assertTrue(wide.matches("€{61}_[0-9a-f]{16}"), wide);
        assertTrue(wide.getBytes(StandardCharsets.UTF_8).length <= 200);
        // Surrogate pairs (4 bytes) likewise: 45 x 4 = 180, a 46th would pass 183.
        String emoji = GraphiteNames.sanitise("😀".repeat(60));
        assertEquals(45 * 2 + 17, emoji.length(), emoji);
        // The suffix hashes the sanitised name: names that sanitise alike group alike, as short ones do.
        assertEquals(GraphiteNames.sanitise("y".repeat(300) + ".a"), GraphiteNames.sanitise("y".repeat(300) + "_a"));
    }
}
