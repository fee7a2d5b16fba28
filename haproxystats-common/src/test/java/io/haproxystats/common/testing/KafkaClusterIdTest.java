package io.haproxystats.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** The test brokers' cluster ids: Kafka's form, and never one the storage tool reads as an option. */
class KafkaClusterIdTest {

    @Test
    void idsAre22UrlSafeCharactersAndNeverStartWithADash() {
        for (int i = 0; i < 10_000; i++) { // about 156 would start with '-' if drawn freely
            String id = KafkaCluster.clusterId();
            assertEquals(22, id.length(), id);
            assertNotEquals('-', id.charAt(0), id);
        }
    }
}
