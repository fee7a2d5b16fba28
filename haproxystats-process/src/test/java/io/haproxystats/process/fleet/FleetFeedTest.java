package io.haproxystats.process.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.KafkaSettings;
import io.haproxystats.process.kafka.FleetRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the fleet page holds for each key of the servers topic, record after record as the topic
 * has them: a key's latest record decides (a valid one, a tombstone, or one not of the topic's
 * form, which leaves the view and is counted), as {@code haproxystats-fleet servers} reads them.
 */
class FleetFeedTest {

    private static final String TOPIC = "haproxystats.servers-state";

    @TempDir
    Path tmp;

    private FleetFeed feed;
    private long offset;

    @BeforeEach
    void feed() throws Exception {
        KafkaSettings kafka = KafkaSettings.from(ConfigLoader.load(
                Files.writeString(tmp.resolve("c.conf"), "[kafka]\nbootstrap-servers = 127.0.0.1:9\n"), null));
        assertEquals(TOPIC, kafka.serversTopic());
        feed = new FleetFeed(kafka, Optional.empty(), Duration.ofMinutes(1), Duration.ofSeconds(5), () -> 0L);
    }

    private ConsumerRecord<byte[], byte[]> record(String key, String value) {
        return new ConsumerRecord<>(
                TOPIC,
                0,
                offset++,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private void take(ConsumerRecord<byte[], byte[]> r) {
        feed.take(List.of(r));
    }

    private List<String> keys() {
        List<String> out = new ArrayList<>();
        feed.snapshot().records().stream().map(FleetRecord::key).sorted().forEach(out::add);
        return out;
    }

    @Test
    void aKeysLatestRecordDecides() {
        take(record("lb1/be/web-1", "100 web UP/READY"));
        take(record("lb1/be/web-2", "100 web UP/READY"));
        assertEquals(List.of("lb1/be/web-1", "lb1/be/web-2"), keys());
        assertEquals(List.of(), feed.snapshot().refused());

        // valid -> refused: the key leaves the view and is counted once, with where and why.
        take(record("lb1/be/web-1", "not a state"));
        assertEquals(List.of("lb1/be/web-2"), keys());
        List<String> refused = feed.snapshot().refused();
        assertEquals(1, refused.size(), refused.toString());
        assertEquals(true, refused.get(0).startsWith(TOPIC + "-0@2: "), refused.toString());

        // refused again -> still one refusal for that key, the latest.
        take(record("lb1/be/web-1", "-5 web UP/READY"));
        refused = feed.snapshot().refused();
        assertEquals(1, refused.size(), refused.toString());
        assertEquals(true, refused.get(0).startsWith(TOPIC + "-0@3: "), refused.toString());

        // refused -> valid: back in the view, no longer counted.
        take(record("lb1/be/web-1", "110 web DOWN/MAINT"));
        assertEquals(List.of("lb1/be/web-1", "lb1/be/web-2"), keys());
        assertEquals(List.of(), feed.snapshot().refused());

        // refused -> tombstone: retired, neither in the view nor counted.
        take(record("lb1/be/web-2", "garbage"));
        assertEquals(1, feed.snapshot().refused().size());
        take(record("lb1/be/web-2", null));
        assertEquals(List.of("lb1/be/web-1"), keys());
        assertEquals(List.of(), feed.snapshot().refused());

        // valid -> tombstone.
        take(record("lb1/be/web-1", null));
        assertEquals(List.of(), keys());
    }

    /** A new consumer after a lost link reads the topic again: the same records count once. */
    @Test
    void reReadingTheTopicCountsNothingTwice() {
        List<ConsumerRecord<byte[], byte[]>> topic = List.of(
                record(null, "100 web UP/READY"),
                record("lb1/be/web-1", "100 web UP/READY"),
                record("lb2//", "100 web UP/READY"),
                record(null, "100 web UP/READY"));
        feed.take(topic);
        assertEquals(
                3, feed.snapshot().refused().size(), feed.snapshot().refused().toString());
        feed.take(topic);
        assertEquals(
                3, feed.snapshot().refused().size(), feed.snapshot().refused().toString());
        assertEquals(List.of("lb1/be/web-1"), keys());
    }
}
