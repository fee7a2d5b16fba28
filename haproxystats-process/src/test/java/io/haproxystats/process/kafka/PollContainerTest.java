package io.haproxystats.process.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The polls topic's record value: every poll round-trips byte for byte; anything else is refused with where and why. */
class PollContainerTest {

    private static SortedMap<String, byte[]> poll() {
        SortedMap<String, byte[]> files = new TreeMap<>();
        files.put("lb1_info", "Name: HAProxy\nnbproc: 1\n".getBytes(StandardCharsets.UTF_8));
        files.put("lb1_stat", "# pxname,svname,\nfe,FRONTEND,\n".getBytes(StandardCharsets.UTF_8));
        files.put("lb2_dead", new byte[0]);
        files.put("naïve_stat", new byte[] {0, (byte) 0xff, 10});
        return files;
    }

    @Test
    void roundTripsEveryByte() throws Exception {
        SortedMap<String, byte[]> files = poll();
        SortedMap<String, PollContainer.Slice> back = PollContainer.decode(raw(files));
        assertEquals(files.keySet(), back.keySet());
        files.forEach((name, bytes) -> assertArrayEquals(bytes, back.get(name).bytes(), name));
        assertEquals(0, PollContainer.decode(raw(new TreeMap<>())).size());
    }

    @Test
    void layoutIsTheDocumentedOne() {
        SortedMap<String, byte[]> one = new TreeMap<>();
        one.put("a_info", new byte[] {'x', 'y'});
        byte[] v = raw(one);
        ByteBuffer b = ByteBuffer.wrap(v);
        byte[] magic = new byte[4];
        b.get(magic);
        assertEquals("HSPD", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(1, b.get());
        assertEquals(1, b.getInt());
        assertEquals(6, b.getShort());
        b.position(b.position() + 6);
        assertEquals(2, b.getInt());
        assertEquals(4 + 1 + 4 + 2 + 6 + 4 + 2, v.length);
    }

    @Test
    void malformedValuesAreRefusedWithTheReason() {
        byte[] good = raw(poll());
        List<String> reasons = List.of(
                reason(null),
                reason("garbage".getBytes(StandardCharsets.US_ASCII)),
                reason(withByte(good, 4, (byte) 2)),
                reason(Arrays.copyOf(good, good.length - 1)),
                reason(Arrays.copyOf(good, good.length + 3)),
                reason(withByte(good, 5, (byte) 0x7f)),
                reason(withByte(good, 10, (byte) 0)));
        assertEquals(
                List.of(
                        "no value (a tombstone), not a poll container",
                        "not a poll container: it does not start with \"HSPD\" (7 bytes)",
                        "poll container version 2, this processor reads 1",
                        "file 3 ('naïve_stat') at byte 105: 3 bytes announced, 2 left",
                        "3 bytes after the last of 4 files",
                        "poll container of 2130706436 files, at most 65536",
                        "file 0 at byte 9: name length 0, expected 1 to 255"),
                reasons);
        SortedMap<String, byte[]> bad = new TreeMap<>();
        bad.put("../etc", new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> PollContainer.compress(bad));
    }

    /** The container itself, as the edge compresses it (the zstd frame undone). */
    private static byte[] raw(SortedMap<String, byte[]> files) {
        try (ZstdInputStream in = new ZstdInputStream(
                new ByteArrayInputStream(PollContainer.compress(files).value()))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theCompressedFormIsOneZstdFrameOfTheAnnouncedSize() throws Exception {
        PollContainer.Compressed c = PollContainer.compress(poll());
        assertEquals(raw(poll()).length, c.size());
        assertEquals(
                poll().keySet(),
                PollContainer.decodeCompressed(c.value(), c.size(), 1 << 20).keySet());
        assertEquals(
                "the zstd frame holds " + c.size() + " bytes, " + (c.size() + 1) + " announced",
                assertThrows(
                                PollContainer.MalformedException.class,
                                () -> PollContainer.decodeCompressed(c.value(), c.size() + 1, 1 << 20))
                        .getMessage());
        assertEquals(
                "a container of " + c.size() + " bytes announced, expected 9 to 100 (the heap's half)",
                assertThrows(
                                PollContainer.MalformedException.class,
                                () -> PollContainer.decodeCompressed(c.value(), c.size(), 100))
                        .getMessage());
    }

    /**
     * A container compressed as several zstd frames, one for the 9-byte head and one per file
     * entry, concatenated, decodes as the one-frame form does: zstd reads concatenated frames as
     * one stream, and so does the central processor's one-call decompression. What an edge whose
     * puller compressed each answer as it arrived would send (not built: docs/benchmarks.md,
     * "Kafka"), readable without a new format version.
     */
    @Test
    void concatenatedFramesOfTheEntriesDecodeAsOneContainer() throws Exception {
        byte[] container = raw(poll());
        java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.wrap(container);
        int from = 0;
        b.position(9);
        while (true) {
            frames.write(com.github.luben.zstd.Zstd.compress(Arrays.copyOfRange(container, from, b.position()), 1));
            if (!b.hasRemaining()) {
                break;
            }
            from = b.position();
            int name = b.getShort();
            b.position(b.position() + name);
            int length = b.getInt();
            b.position(b.position() + length);
        }
        byte[] value = frames.toByteArray();
        SortedMap<String, PollContainer.Slice> back = PollContainer.decodeCompressed(value, container.length, 1 << 20);
        assertEquals(poll().keySet(), back.keySet());
        poll().forEach((name, bytes) -> assertArrayEquals(bytes, back.get(name).bytes(), name));
    }

    private static byte[] withByte(byte[] v, int at, byte b) {
        byte[] copy = v.clone();
        copy[at] = b;
        return copy;
    }

    private static String reason(byte[] value) {
        return assertThrows(PollContainer.MalformedException.class, () -> PollContainer.decode(value))
                .getMessage();
    }
}
