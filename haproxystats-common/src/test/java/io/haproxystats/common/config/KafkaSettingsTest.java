package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka options: off by default, validated with the option named, client properties passed through. */
class KafkaSettingsTest {

    @TempDir
    Path tmp;

    private KafkaSettings read(String ini) throws IOException {
        return ProcessConfig.from(ConfigLoader.load(Files.writeString(tmp.resolve("c.conf"), ini), null))
                .kafka();
    }

    private String error(String ini) {
        return assertThrows(ConfigurationException.class, () -> read(ini)).getMessage();
    }

    @Test
    void offByDefault() throws IOException {
        KafkaSettings k = read("[DEFAULT]\nretries = 3\n");
        assertEquals(KafkaSettings.Mode.LOCAL, k.mode());
        assertEquals(KafkaSettings.Source.INCOMING, k.source());
        assertFalse(k.usesKafka());
        assertEquals("haproxystats.polls", k.pollsTopic());
        assertEquals("haproxystats-process", k.groupId());
        assertEquals(Map.of(), k.client(), "[DEFAULT] keys are not client properties");
    }

    @Test
    void forwardWithClientProperties() throws IOException {
        KafkaSettings k = read("""
                [process]
                mode = forward
                [kafka]
                bootstrap-servers = 127.0.0.1:9092, kafka-2.example:9093
                host = lb-7
                cluster = eu_west
                client.security.protocol = SSL
                client.ssl.truststore.location = /etc/ssl/kafka.jks
                """);
        assertEquals(KafkaSettings.Mode.FORWARD, k.mode());
        assertEquals(List.of("127.0.0.1:9092", "kafka-2.example:9093"), k.bootstrapServers());
        assertEquals(Optional.of("lb-7"), k.host());
        assertEquals(Optional.of("eu_west"), k.cluster());
        assertEquals(Map.of("security.protocol", "SSL", "ssl.truststore.location", "/etc/ssl/kafka.jks"), k.client());
        assertTrue(KnownOptions.unknown(ConfigLoader.load(tmp.resolve("c.conf"), null), s -> true)
                .isEmpty());
    }

    @Test
    void errorsNameTheOptionAndWhatWasExpected() {
        assertEquals(
                "[process] mode: must be one of local, forward, got 'central'", error("[process]\nmode = central\n"));
        assertEquals(
                "[kafka] bootstrap-servers: is required with [process] mode = forward, source = kafka or "
                        + "[kafka-dispatch] topic (comma-separated host:port pairs)",
                error("[process]\nsource = kafka\n"));
        assertEquals(
                "[kafka] bootstrap-servers: expected comma-separated host:port pairs, got 'kafka1'",
                error("[process]\nsource = kafka\n[kafka]\nbootstrap-servers = kafka1\n"));
        assertEquals(
                "[process] mode: forward takes polls from src-dir to Kafka; it cannot be used with source = kafka",
                error("[process]\nmode = forward\nsource = kafka\n[kafka]\nbootstrap-servers = k:9092\n"));
        assertEquals(
                "[kafka-dispatch] topic: must be a Kafka topic name (letters, digits, '.', '_', '-'; at most 249), "
                        + "got 'lines/graphite'",
                error("[kafka-dispatch]\ntopic = lines/graphite\n[kafka]\nbootstrap-servers = k:9092\n"));
        assertTrue(error("[kafka]\ncluster = eu.west\n").startsWith("[kafka] cluster: must be one Graphite path"));
    }
}
