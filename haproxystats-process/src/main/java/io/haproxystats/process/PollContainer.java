package io.haproxystats.process;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * Nothing may follow the last file. The record's headers repeat the version
 * ({@code haproxystats-format: 1}) and carry the poll's name ({@code haproxystats-poll}); the
 * producer compresses the batch (zstd), so the container itself is not compressed. Pure.
 */
final class PollContainer {

    static final int VERSION = 1;
    private static final byte[] MAGIC = {'H', 'S', 'P', 'D'};
    static final int MAX_FILES = 65536;

    private PollContainer() {}

    /** A record that is not a version-1 container; the message says where and what was expected. */
    static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    static byte[] encode(SortedMap<String, byte[]> files) {
        long size = 9;
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            size += 6 + e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().length;
        }
        if (size > Integer.MAX_VALUE - 16 || files.size() > MAX_FILES) {
            throw new IllegalArgumentException("a poll of " + files.size() + " files, " + size
                    + " bytes, does not fit one container (at most " + MAX_FILES + " files, 2 GiB)");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) size);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(VERSION);
            out.writeInt(files.size());
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                checkName(e.getKey(), name.length);
                out.writeShort(name.length);
                out.write(name);
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** The files of a container, in name order; a malformed one is refused with the reason. */
    static SortedMap<String, byte[]> decode(byte[] value) throws MalformedException {
        if (value == null) {
            throw new MalformedException("no value (a tombstone), not a poll container");
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        if (value.length < 9 || !ByteBuffer.wrap(value, 0, 4).equals(ByteBuffer.wrap(MAGIC))) {
            throw new MalformedException(
                    "not a poll container: it does not start with \"HSPD\" (" + value.length + " bytes)");
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
        SortedMap<String, byte[]> files = new TreeMap<>();
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
            byte[] content = new byte[(int) length];
            in.get(content);
            files.put(name, content);
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
