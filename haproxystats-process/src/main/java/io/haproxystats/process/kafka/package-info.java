/**
 * Apache Kafka as a transport: every client's properties, every topic's record format, and the
 * committing consumer loop. Nothing here knows a role.
 *
 * <pre>
 * KafkaClients: the properties of every client (edge producer, publisher, line producer, poll and
 *               lines consumers, admin, the Streams application, the fleet reader); client. options win
 * Topics and their record formats, each declared once:
 *   polls         PollRecord (key, headers: the poll's time among them) + PollContainer (the value: a poll's files, zstd)
 *                 ContainerBuffers: the arrays containers are decompressed into, kept between records
 *   cluster values ClusterValues (a poll's values and its epoch, key = cluster; decode checks, checkCluster)
 *   (a record written for a poll is stamped with its producer's clock, never the poll's time: brokers refuse times too far ahead)
 *   cluster lines  key = cluster, value = Graphite lines, time = window start (written by cluster.ClusterWindows)
 *   servers state  FleetRecord (key lb/backend/server, compacted; read checks, a tombstone retires a key)
 * KafkaPollSource: consumers in a group ─→ RecordHandler (central.PollRecordHandler,
 *                  cluster.ClusterLinesHandler); pause while busy, commit past delivered records
 * KafkaLineSender: [kafka-dispatch]'s delivery.Sender
 * Records: where a record is, its key as text, strict UTF-8, text quoted printable for messages
 * Everything read from a topic is input: checked before use, refused with the reason, never blocking.
 * </pre>
 */
package io.haproxystats.process.kafka;
