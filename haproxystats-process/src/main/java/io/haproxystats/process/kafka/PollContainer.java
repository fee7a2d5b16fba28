package io.haproxystats.process.kafka;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The value of a record on the polls topic: one poll directory's files, names and bytes, as the
 * puller wrote them. Version 1, big-endian:
 *
 * <pre>
 * "HSPD"            4 bytes, the magic
 * version           1 byte, 1
 * count             4 bytes, the number of files (at most 65536)
 * count times:
 *   name length     2 bytes, 1 to 255
 *   name            UTF-8, no '/', no NUL, not "." or ".."; names strictly ascending
 *   content length  4 bytes
 *   content         the file's bytes
 * </pre>
 *
 * Nothing may follow the last file. On the polls topic a container is compressed as one standard
 * zstd frame (readable by {@code zstd -d}); the record's headers give the version
 * ({@code haproxystats-format: 1}), the container's size before compression
 * ({@code haproxystats-size}) and the poll's name ({@code haproxystats-poll}). Pure.
 */
public final class PollContainer {

    public static final int VERSION = 1;
    private static final byte[] MAGIC = {'H', 'S', 'P', 'D'};
    static final int MAX_FILES = 65536;

    private PollContainer() {}

    /** A record that is not a version-1 container; the message says where and what was expected. */
    public static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    /** A file to put in a container: its length, known before, and its bytes. */
    public interface Content {
        int length();

        InputStream open() throws IOException;

        static Content of(byte[] bytes) {
            return new Content() {
                @Override
                public int length() {
                    return bytes.length;
                }

                @Override
                public InputStream open() {
                    return new ByteArrayInputStream(bytes);
                }
            };
        }
    }

    /** {@link #encodeCompressed(SortedMap)} of files in memory. */
    public static Compressed compress(SortedMap<String, byte[]> files) {
        SortedMap<String, Content> contents = new TreeMap<>();
        files.forEach((name, bytes) -> contents.put(name, Content.of(bytes)));
        try {
            return encodeCompressed(contents);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // from memory, nothing fails
        }
    }

    /** A container compressed as one zstd frame, and its size before compression. */
    public record Compressed(byte[] value, long size) {}

    /** zstd's level for polls: its fast end, so that forwarding costs the edge little CPU. */
    static final int ZSTD_LEVEL = 1;

    /**
     * The container of these files compressed as one standard zstd frame (with its checksum), each
     * file read and compressed as it streams: the edge holds only the compressed bytes (a 53 MB poll
     * is a few MB), never the container whole.
     */
    public static Compressed encodeCompressed(SortedMap<String, Content> files) throws IOException {
        return encodeCompressed(files, ZSTD_LEVEL);
    }

    /** {@link #encodeCompressed(SortedMap)} at another zstd level (the benchmark compares them). */
    public static Compressed encodeCompressed(SortedMap<String, Content> files, int level) throws IOException {
        long size = 9;
        for (Map.Entry<String, Content> e : files.entrySet()) {
            size += 6
                    + e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().length();
        }
        if (size > Integer.MAX_VALUE - 16 || files.size() > MAX_FILES) {
            throw new IllegalArgumentException("a poll of " + files.size() + " files, " + size
                    + " bytes, does not fit one container (at most " + MAX_FILES + " files, 2 GiB)");
        }
        ByteArrayOutputStream compressed = new ByteArrayOutputStream((int) Math.min(size / 4 + 1024, 1 << 24));
        try (ZstdOutputStream out = new ZstdOutputStream(compressed, level).setChecksum(true);
                DataOutputStream data = new DataOutputStream(out)) {
            data.write(MAGIC);
            data.writeByte(VERSION);
            data.writeInt(files.size());
            byte[] buffer = new byte[1 << 16];
            for (Map.Entry<String, Content> e : files.entrySet()) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                checkName(e.getKey(), name.length);
                int length = e.getValue().length();
                data.writeShort(name.length);
                data.write(name);
                data.writeInt(length);
                try (InputStream in = e.getValue().open()) {
                    int left = length;
                    while (left > 0) {
                        int n = in.read(buffer, 0, Math.min(buffer.length, left));
                        if (n < 0) {
                            break;
                        }
                        data.write(buffer, 0, n);
                        left -= n;
                    }
                    if (left > 0 || in.read() >= 0) {
                        throw new IOException(e.getKey() + " changed while read (" + length
                                + " bytes when listed): a poll in src-dir is complete, not written to");
                    }
                }
            }
        }
        return new Compressed(compressed.toByteArray(), size);
    }

    /** A record's value: a zstd frame of {@code size} bytes (at most {@code maxSize}), then a container. */
    public static SortedMap<String, Slice> decodeCompressed(byte[] value, long size, long maxSize)
            throws MalformedException {
        checkSize(value, size, maxSize);
        return decodeCompressed(value, size, maxSize, new byte[(int) size]);
    }

    /**
     * {@link #decodeCompressed(byte[], long, long)} into {@code into} (at least {@code size} bytes,
     * from {@link ContainerBuffers}): the files' slices point into it, so it must not be reused
     * before they are parsed.
     */
    public static SortedMap<String, Slice> decodeCompressed(byte[] value, long size, long maxSize, byte[] into)
            throws MalformedException {
        checkSize(value, size, maxSize);
        if (into.length < size) {
            throw new IllegalArgumentException(into.length + " bytes to decompress " + size + " into");
        }
        // One call into zstd, straight into the array the files are parsed from (the frame's
        // checksum checked): no stream, no copy of a file on its way to the parser (Slice).
        int read;
        try (ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            read = zstd.decompressByteArray(into, 0, (int) size, value, 0, value.length);
        } catch (ZstdException e) {
            throw new MalformedException(
                    e.getErrorCode() == Zstd.errDstSizeTooSmall()
                            ? "the zstd frame holds more than " + size + " bytes, " + size + " announced"
                            : "not a zstd frame of a poll container: " + e.getMessage());
        }
        if (read < size) {
            throw new MalformedException("the zstd frame holds " + read + " bytes, " + size + " announced");
        }
        return decode(into, read);
    }

    /** Refuses a tombstone, and a size out of 9 to {@code maxSize}, before anything is allocated. */
    public static void checkSize(byte[] value, long size, long maxSize) throws MalformedException {
        if (value == null) {
            throw new MalformedException("no value (a tombstone), not a poll container");
        }
        if (size < 9 || size > maxSize) {
            throw new MalformedException(
                    "a container of " + size + " bytes announced, expected 9 to " + maxSize + " (the heap's half)");
        }
    }

    /**
     * One file inside a container: parsed in place (its array is the whole container), copied only
     * when {@link #bytes()} is asked for (a file kept in quarantine), so a large poll is held once
     * decompressed, and no file is copied on its way to the parser.
     */
    public record Slice(byte[] container, int offset, int length) {
        public byte[] bytes() {
            return Arrays.copyOfRange(container, offset, offset + length);
        }
    }

    /** The files of a container, in name order; a malformed one is refused with the reason. */
    static SortedMap<String, Slice> decode(byte[] value) throws MalformedException {
        if (value == null) {
            throw new MalformedException("no value (a tombstone), not a poll container");
        }
        return decode(value, value.length);
    }

    /** {@link #decode(byte[])} of the container in the first {@code end} bytes of {@code value}. */
    private static SortedMap<String, Slice> decode(byte[] value, int end) throws MalformedException {
        ByteBuffer in = ByteBuffer.wrap(value, 0, end);
        if (end < 9 || !ByteBuffer.wrap(value, 0, 4).equals(ByteBuffer.wrap(MAGIC))) {
            throw new MalformedException("not a poll container: it does not start with \"HSPD\" (" + end + " bytes)");
        }
        in.position(4);
        int version = in.get() & 0xff;
        if (version != VERSION) {
            throw new MalformedException("poll container version " + version + ", this processor reads " + VERSION);
        }
        long count = in.getInt() & 0xffffffffL;
        if (count > MAX_FILES) {
            throw new MalformedException("poll container of " + count + " files, at most " + MAX_FILES);
        }
        SortedMap<String, Slice> files = new TreeMap<>();
        String previous = null;
        for (long i = 0; i < count; i++) {
            int at = in.position();
            if (in.remaining() < 2) {
                throw truncated(i, at);
            }
            int nameLength = in.getShort() & 0xffff;
            if (nameLength == 0 || nameLength > 255 || in.remaining() < nameLength + 4) {
                throw nameLength == 0 || nameLength > 255
                        ? new MalformedException(
                                "file " + i + " at byte " + at + ": name length " + nameLength + ", expected 1 to 255")
                        : truncated(i, at);
            }
            String name = utf8(in, nameLength, i, at);
            checkName(name, nameLength, i, at);
            if (previous != null && previous.compareTo(name) >= 0) {
                throw new MalformedException(
                        "file " + i + " at byte " + at + ": '" + name + "' after '" + previous + "' (names ascending)");
            }
            long length = in.getInt() & 0xffffffffL;
            if (length > in.remaining()) {
                throw new MalformedException("file " + i + " ('" + name + "') at byte " + at + ": " + length
                        + " bytes announced, " + in.remaining() + " left");
            }
            files.put(name, new Slice(value, in.position(), (int) length));
            in.position(in.position() + (int) length);
            previous = name;
        }
        if (in.hasRemaining()) {
            throw new MalformedException(in.remaining() + " bytes after the last of " + count + " files");
        }
        return files;
    }

    private static MalformedException truncated(long file, int at) {
        return new MalformedException("truncated in file " + file + " at byte " + at);
    }

    private static String utf8(ByteBuffer in, int length, long file, int at) throws MalformedException {
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedException("file " + file + " at byte " + at + ": name is not UTF-8");
        }
    }

    private static void checkName(String name, int bytes) {
        try {
            checkName(name, bytes, 0, 0);
        } catch (MalformedException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static void checkName(String name, int bytes, long file, int at) throws MalformedException {
        if (bytes == 0
                || bytes > 255
                || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0
                || name.equals(".")
                || name.equals("..")) {
            throw new MalformedException("file " + file + " at byte " + at + ": '" + name.replace("\0", "\\0")
                    + "' is not a file name (1 to 255 bytes, no '/' or NUL, not . or ..)");
        }
    }
}
