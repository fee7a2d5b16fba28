package io.haproxystats.process.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What every reader of a topic says of a record: where it is, its key as text, strict UTF-8. */
public final class Records {

    private Records() {}

    /** Where a record is, for messages and quarantine names: {@code topic-partition@offset}. */
    public static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    /** The record's key as text, for messages: {@code (none)} or {@code (not UTF-8)} when it is not. */
    public static String keyText(ConsumerRecord<byte[], ?> record) {
        return record.key() == null ? "(none)" : utf8(record.key()).orElse("(not UTF-8)");
    }

    /** Strictly decoded UTF-8, or empty for null or malformed bytes. */
    public static Optional<String> utf8(byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /**
     * Text read from a record as a message may quote it: every control, line-separating or other
     * invisible character written as {@code \\uXXXX} (so a newline in a key can never forge a log or
     * output line), cut after {@code max} characters with {@code ...} (a 1 MB key says little more).
     */
    public static String printable(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
        for (int i = 0; i < text.length(); i++) {
            if (out.length() >= max) {
                return out.append("...").toString();
            }
            char c = text.charAt(i);
            if (Character.isISOControl(c)
                    || Character.isWhitespace(c) && c != ' '
                    || Character.isSpaceChar(c) && c != ' '
                    || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c)) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
