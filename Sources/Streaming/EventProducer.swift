import CKafka
import Events
import Wrapped

#if canImport(Glibc)
import Glibc
#endif

/// `forecast produce`: sends every event of a history to the partition of its continent, key =
/// the user id as decimal text, value = Confluent wire format (magic 0, schema id, Avro binary),
/// with librdkafka's idempotent producer; paced by a rate or by event time.
public final class EventProducer {
  public struct Settings: Sendable {
    public var brokers: String
    public var topic = TopicLayout.defaultTopic
    public var properties: [(key: String, value: String)] = []
    public var schemaID: UInt32 = 1
    /// Register the toolkit's schema there (subject `TOPIC-value`) and use its id.
    public var registry: String?
    /// Events per second (nil: as fast as the brokers take them).
    public var rate: Double?
    /// Event time replayed this many times faster than real time.
    public var speedup: Double?
    public var connectTimeoutSeconds = 5
    public var flushTimeoutSeconds = 60

    public init(brokers: String) {
      self.brokers = brokers
    }
  }

  public struct Summary: Sendable {
    public var produced: Int64 = 0
    public var delivered: Int64 = 0
    public var failed: Int64 = 0
    public var perPartition = [Int64](repeating: 0, count: TopicLayout.partitionCount)
    public var schemaID: UInt32 = 0
  }

  private final class Reports {
    var delivered: Int64 = 0
    var failed: Int64 = 0
    var firstError: String?
  }

  let settings: Settings
  private let reports = Reports()

  public init(settings: Settings) {
    self.settings = settings
  }

  private static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  /// Produces every event of `history` (a file or a directory of `.avro` files).
  ///
  /// - Throws: `StreamError` for an unreadable history, an unreachable cluster, a topic that does
  ///   not fit the layout, or events not delivered.
  public func run(history: String, progress: ((Summary) -> Void)? = nil) throws(StreamError)
    -> Summary
  {
    let files: [String]
    do { files = try HistoryFiles.list(history) } catch {
      throw .history(path: history, reason: error.description)
    }
    var readers: [EventFileReader] = []
    for f in files {
      do { readers.append(try EventFileReader(path: f)) } catch {
        throw .history(path: f, reason: error.description)
      }
    }
    var summary = Summary()
    summary.schemaID = settings.schemaID
    if let url = settings.registry {
      summary.schemaID = try SchemaRegistry(url: url).register(
        subject: settings.topic + "-value", schemaJSON: EventSchema.toolkit.json)
    }
    var props = KafkaProperties(bootstrap: settings.brokers)
    props.set("enable.idempotence", "true")
    props.set("linger.ms", "5")
    props.set("client.id", "forecast-produce")
    for (k, v) in settings.properties { props.set(k, v) }
    let reports = self.reports
    let rk: OpaquePointer
    do {
      rk = try props.makeClient(RD_KAFKA_PRODUCER) { conf in
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(reports).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
          guard let message, let opaque else { return }
          let reports = Unmanaged<Reports>.fromOpaque(opaque).takeUnretainedValue()
          if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            reports.delivered += 1
          } else {
            reports.failed += 1
            if reports.firstError == nil {
              reports.firstError = kafkaErrorText(message.pointee.err)
            }
          }
        }
      }
    } catch {
      throw .kafka(error)
    }
    defer { rd_kafka_destroy(rk) }
    do throws(KafkaError) {
      let count = try partitionCount(
        client: rk, topic: settings.topic, brokers: settings.brokers,
        timeoutMs: Int32(settings.connectTimeoutSeconds * 1000))
      guard count == TopicLayout.partitionCount else {
        throw KafkaError.wrongPartitionCount(
          topic: settings.topic, found: count, needed: TopicLayout.partitionCount)
      }
    } catch {
      throw .kafka(error)
    }
    // Every file is read through once before the first event is sent, with the same reader
    // and checks as the sending pass: a damaged or cut history sends nothing, rather than the
    // events before its damage (reading runs five to six times faster than the brokers take
    // events: the pass costs about a fifth of the rate).
    for f in files {
      do {
        let check = try EventFileReader(path: f)
        while try check.next() != nil {}
      } catch {
        throw .history(
          path: f,
          reason: error.damage + " Restore the file from its source. Nothing was sent to "
            + "\(settings.topic).")
      }
    }
    guard let rkt = rd_kafka_topic_new(rk, settings.topic, nil) else {
      throw .kafka(
        .failed(operation: "topic handle", reason: kafkaErrorText(rd_kafka_last_error())))
    }
    defer { rd_kafka_topic_destroy(rkt) }
    signal(SIGINT) { _ in stopRequested = 1 }
    signal(SIGTERM) { _ in stopRequested = 1 }
    let began = Self.now()
    var firstEventTime: Int64?
    var lastProgress = began
    let header: [UInt8] =
      [0] + (0..<4).map { UInt8(truncatingIfNeeded: summary.schemaID >> (24 - 8 * UInt32($0))) }
    var value = header
    var key: [UInt8] = []
    outer: for (k, reader) in readers.enumerated() {
      while stopRequested == 0 {
        let next: ListeningEvent?
        do { next = try reader.next() } catch {
          rd_kafka_flush(rk, 10_000)
          summary.delivered = reports.delivered
          // Damage the first pass did not find (the file changed since): the events before
          // it are on the topic: say so, since producing the repaired file again sends them
          // twice (produce has no --salvage of its own).
          throw .history(
            path: files[k],
            reason: error.damage + " Restore the file from its source. \(summary.produced) "
              + "events before the damage were sent to \(settings.topic) (\(summary.delivered) "
              + "delivered); producing a repaired file again sends them twice, so produce only "
              + "what follows them, or start a new topic")
        }
        guard let event = next else { break }
        // Pacing.
        if let rate = settings.rate, rate > 0 {
          let due = began + Double(summary.produced) / rate
          Self.sleep(until: due, rk: rk)
        } else if let speedup = settings.speedup, speedup > 0 {
          let first = firstEventTime ?? event.startTime
          firstEventTime = first
          let due = began + Double(event.startTime - first) / 1000 / speedup
          Self.sleep(until: due, rk: rk)
        }
        value.removeSubrange(5...)
        EventFileWriter.appendEncoded(event, to: &value)
        key = Array(String(event.userID).utf8)
        let partition = TopicLayout.partition(of: event.continent)
        while true {
          let status = value.withUnsafeMutableBytes { v in
            key.withUnsafeBytes { kb in
              rd_kafka_produce(
                rkt, partition, RD_KAFKA_MSG_F_COPY, v.baseAddress, v.count, kb.baseAddress,
                kb.count, nil)
            }
          }
          if status == 0 { break }
          let err = rd_kafka_last_error()
          if err == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            rd_kafka_poll(rk, 10)
            continue
          }
          rd_kafka_flush(rk, 10_000)
          throw .kafka(.failed(operation: "produce", reason: kafkaErrorText(err)))
        }
        summary.produced += 1
        summary.perPartition[Int(partition)] += 1
        rd_kafka_poll(rk, 0)
        if let progress, summary.produced % 4096 == 0 {
          let now = Self.now()
          if now - lastProgress >= 1 {
            summary.delivered = reports.delivered
            progress(summary)
            lastProgress = now
          }
        }
      }
      if stopRequested != 0 { break outer }
    }
    let deadline = Self.now() + Double(settings.flushTimeoutSeconds)
    while rd_kafka_outq_len(rk) > 0 && Self.now() < deadline {
      rd_kafka_poll(rk, 100)
    }
    summary.delivered = reports.delivered
    summary.failed = summary.produced - reports.delivered
    if stopRequested != 0 {
      throw .interrupted(delivered: summary.delivered, produced: summary.produced)
    }
    if summary.failed > 0 {
      let reason =
        reports.firstError
        ?? "not acknowledged within \(settings.flushTimeoutSeconds) s of the last send"
      throw .undelivered(count: summary.failed, total: summary.produced, reason: reason)
    }
    return summary
  }

  private static func sleep(until due: Double, rk: OpaquePointer) {
    while true {
      let wait = due - now()
      if wait <= 0 || stopRequested != 0 { return }
      rd_kafka_poll(rk, Int32(min(max(wait * 1000, 1), 100)))
    }
  }
}
