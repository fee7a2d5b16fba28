package io.haproxystats.pull.logs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.logs.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parser on datagrams real HAProxy 2.2, 2.6 and 3.0 sent (src/test/resources/logs), and on
 * garbage, truncated, oversized, non-UTF-8 and hostile-named ones.
 */
class LogLineParserTest {

    private final LogLineParser parser = new LogLineParser();

    private LogLineParser.Outcome parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return parser.parse(b, b.length);
    }

    static List<String> captured(String version) throws IOException {
        try (InputStream in = LogLineParserTest.class.getResourceAsStream("/logs/haproxy-" + version + ".txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(l -> l.substring(l.indexOf(' ') + 1)) // "UDP " or "UNIX ": how it came
                    .toList();
        }
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @ValueSource(strings = {"2.2", "2.6", "3.0"})
    void everyCapturedRequestLineIsReadAndEveryEventLineIsOther(String version) throws IOException {
        List<String> lines = captured(version);
        int requests = 0;
        for (String line : lines) {
            LogLineParser.Outcome outcome = parse(line);
            if (line.contains(" started.")) {
                assertEquals(LogLineParser.Outcome.OTHER, outcome, line);
                continue;
            }
            assertEquals(LogLineParser.Outcome.REQUEST, outcome, line + ": " + parser.reason());
            requests++;
            if (line.contains(" fe_tcp ")) {
                assertEquals("fe_tcp", parser.frontend());
                assertEquals("be_tcp", parser.backend());
                assertEquals("t1", parser.server());
                assertArrayEquals(Timer.TCP, parser.timers());
            } else if (line.contains("be_app/down1")) {
                // 0/0/-1/-1/3004: the connection was refused, Tc and Tr never set.
                assertArrayEquals(Timer.HTTP, parser.timers());
                assertEquals(0, parser.value(0));
                assertEquals(-1, parser.value(2));
                assertEquals(-1, parser.value(3));
                assertTrue(parser.value(4) >= 3000, line);
            } else {
                assertTrue(parser.frontend().startsWith("fe_http"), parser.frontend());
                assertEquals("be_app", parser.backend());
                assertEquals("web1", parser.server());
                assertArrayEquals(Timer.HTTP, parser.timers());
            }
        }
        assertEquals(12, requests, version + ": 4 requests, each over 3 log targets");
    }

    @Test
    void readsTheValuesAndTheHeadersOfEachFormat() {
        String msg = "10.0.0.1:5000 [02/Dec/2026:15:33:12.945] fe_web~ be.app/web-1 12/3/4/250/+270 200 620 - - ---- "
                + "1/1/0/0/0 0/0 \"GET / HTTP/1.1\"";
        for (String line : List.of(
                "<134>Dec  2 15:33:12 haproxy[733]: " + msg,
                "<134>Dec  2 15:33:12 lb-1.example haproxy[733]: " + msg,
                "<150>1 2026-12-02T15:33:12.947308+00:00 lb1 haproxy 733 - - " + msg,
                "<150>1 2026-12-02T15:33:12.947308+00:00 lb1 haproxy 733 - [x@1 a=\"\\]\\\"\"][y@2] \uFEFF" + msg,
                "<134>" + msg,
                msg + "\n")) {
            assertEquals(LogLineParser.Outcome.REQUEST, parse(line), line + ": " + parser.reason());
            assertEquals("fe_web", parser.frontend(), "an SSL listener's ~ is dropped");
            assertEquals("be.app", parser.backend());
            assertEquals("web-1", parser.server());
            long[] values = new long[5];
            for (int i = 0; i < 5; i++) {
                values[i] = parser.value(i);
            }
            assertArrayEquals(new long[] {12, 3, 4, 250, 270}, values, line);
        }
    }

    @Test
    void requestsWithoutAServerKeepTheirFrontendAndBackend() {
        assertEquals(
                LogLineParser.Outcome.REQUEST,
                parse("<134>Dec  2 15:33:12 haproxy[1]: 1.2.3.4:5 [02/Dec/2026:15:33:12.945] fe fe/<NOSRV> "
                        + "0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\""));
        assertEquals("fe", parser.backend());
        assertNull(parser.server());
        assertEquals(
                LogLineParser.Outcome.REQUEST,
                parse("<134>Dec  2 15:33:12 haproxy[1]: 1.2.3.4:5 [02/Dec/2026:15:33:12.945] fe be/<STATS> "
                        + "0/0/0/0/0 200 217 - - ---- 1/1/0/0/0 0/0 \"GET /stats HTTP/1.1\""));
        assertNull(parser.server());
    }

    @Test
    void haproxysOwnLinesAreOtherNotUnparsed() {
        for (String line : List.of(
                "<133>Dec  2 15:33:35 haproxy[1780]: Proxy fe_http started.",
                "<129>Dec  2 15:33:35 haproxy[1780]: Server be_app/web1 is DOWN, reason: Layer4 connection problem.",
                "<134>Dec  2 15:33:35 haproxy[1780]: Connect from 127.0.0.1:5000 to 127.0.0.1:80 (fe/TCP)",
                "<134>Dec  2 15:33:35 haproxy[1780]: 127.0.0.1:5000 [02/Dec/2026:15:33:12.945] fe/1: SSL handshake failure",
                "<149>1 2026-12-02T15:33:35.263741+00:00 vm haproxy 1780 - - Proxy fe_http started.")) {
            assertEquals(LogLineParser.Outcome.OTHER, parse(line), line);
        }
    }

    @Test
    void garbageTruncatedAndHostileLinesAreUnparsedWithAReason() {
        String ok = "<134>Dec  2 15:33:12 haproxy[1]: 1.2.3.4:5 [02/Dec/2026:15:33:12.945] fe be/srv 1/2/3/4/5 200 1 -";
        assertEquals(LogLineParser.Outcome.REQUEST, parse(ok));
        String[][] cases = {
            {"", "empty datagram"},
            {"\n\r\0", "empty datagram"},
            {"hello world", "not a request log"},
            {"<999>Dec  2 15:33:12 haproxy[1]: x", "no syslog priority"},
            {"<13", "no syslog priority"},
            {"<134>Dec  2 15:33:12 no tag here", "RFC 3164 header without a tag"},
            {"<150>1 2026-12-02T15:33:12Z host", "RFC 5424 header cut short"},
            {"<150>1 t h a p m [unterminated", "RFC 5424 structured data"},
            {ok.replace("fe be/srv", "f\u00e9 be/srv"), "the frontend name"},
            {ok.replace("fe be/srv", "fe b\u0000e/srv"), "the backend name"},
            {ok.replace("fe be/srv", "fe be/s;rm -rf"), "the server name"},
            {ok.replace("fe be/srv", "fe be/<nosrv>"), "the server is neither"},
            {ok.replace("fe be/srv", "fe be/srv.x/y"), "the server name"},
            {ok.replace("fe be/srv", "fe " + "b".repeat(300) + "/srv"), "the backend name"},
            {ok.replace("fe be/srv", "fe besrv"), "no backend/server field"},
            {ok.replace("1/2/3/4/5", "1/2/3/4"), "expected 5 timers"},
            {ok.replace("1/2/3/4/5", "1/2/3/4/5/6"), "more than five timers"},
            {ok.replace("1/2/3/4/5", "1/2/-3/4/5"), "a timer is not a number"},
            {ok.replace("1/2/3/4/5", "1/2/x/4/5"), "a timer is not a number"},
            {ok.replace("1/2/3/4/5", "1/2/3/4/"), "the timers end with '/'"},
            {ok.replace("1/2/3/4/5", "1/2/3/4/99999999999999999"), "a timer is not a number"},
            {ok.replace("200 1 -", "OK 1 -"), "no status or byte count"},
            {ok.substring(0, ok.indexOf(" 1/2/3")), "the line ends after the backend/server field"},
            {ok.substring(0, ok.indexOf(" 200")), "no status or byte count"},
            {"1.2.3.4:5 [02/Dec/2026:15:33:12.945]", "the date in [] is not followed"},
            {"1.2.3.4:5 [02/Dec/2026:15:33:12.945] fe", "the line ends after the frontend"},
        };
        for (String[] c : cases) {
            assertEquals(LogLineParser.Outcome.UNPARSED, parse(c[0]), c[0]);
            assertTrue(parser.reason().startsWith(c[1]), c[0] + ": " + parser.reason());
        }
    }

    @Test
    void noByteSequenceMakesItThrowOrReadANameHaproxyWouldRefuse() {
        SplittableRandom random = new SplittableRandom(29);
        byte[] template = ("<134>Dec  2 15:33:12 haproxy[1]: 1.2.3.4:5 [02/Dec/2026:15:33:12.945] fe be/srv "
                        + "1/2/3/4/5 200 1 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"")
                .getBytes(StandardCharsets.US_ASCII);
        int requests = 0;
        for (int round = 0; round < 200_000; round++) {
            byte[] b;
            if (round % 2 == 0) {
                b = new byte[random.nextInt(300)]; // noise, non-UTF-8 included
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) random.nextInt(256);
                }
            } else {
                b = Arrays.copyOf(template, template.length); // a real line with a few bytes changed, or cut
                for (int k = random.nextInt(4); k >= 0; k--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                b = Arrays.copyOf(b, random.nextInt(b.length + 1));
            }
            if (parser.parse(b, b.length) == LogLineParser.Outcome.REQUEST) {
                requests++;
                for (String name : new String[] {parser.frontend(), parser.backend(), parser.server()}) {
                    assertTrue(name == null || name.matches("[A-Za-z0-9_.:-]{1,255}"), name);
                }
                for (int i = 0; i < parser.timers().length; i++) {
                    assertTrue(parser.value(i) >= -1, "timer " + parser.value(i));
                }
            }
        }
        assertTrue(requests > 0, "some mutated lines are still requests");
    }

    @Test
    void aGiganticDatagramIsReadOnlyAsFarAsItsFields() {
        byte[] huge = new byte[1 << 20];
        Arrays.fill(huge, (byte) 'a');
        assertEquals(LogLineParser.Outcome.UNPARSED, parser.parse(huge, huge.length));
        byte[] prefix = "<134>Dec  2 15:33:12 haproxy[1]: ".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, huge, 0, prefix.length);
        assertEquals(LogLineParser.Outcome.OTHER, parser.parse(huge, huge.length));
    }
}
