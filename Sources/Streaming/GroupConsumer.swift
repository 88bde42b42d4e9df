import CKafka
import Events

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT/SIGTERM: the consumer closes what it may, commits and leaves the group.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

/// `forecast consume`: a member of a consumer group (cooperative-sticky assignment) feeding the
/// window engine, committing offsets only once what they cover is durable.
public final class GroupConsumer {
  public struct Settings: Sendable {
    public var brokers: String
    public var group: String
    public var properties: [(key: String, value: String)] = []
    public var toolkitSchemaID: UInt32? = 1
    public var registry: String?
    /// Exit once every assigned partition is at its end.
    public var exitAtEnd = false
    /// With `exitAtEnd`: write the windows still open, marked partial.
    public var closeOpen = false
    /// Seconds to wait for a broker before giving up.
    public var connectTimeoutSeconds = 5
    public var checkpointSeconds = 5

    public init(brokers: String, group: String) {
      self.brokers = brokers
      self.group = group
    }
  }

  /// What a run did.
  public struct Summary: Sendable {
    public var records: Int64 = 0
    public var events: Int64 = 0
    public var bad: Int64 = 0
    public var late: Int64 = 0
  }

  let settings: Settings
  let engine: WindowedAggregation
  private var rk: OpaquePointer?
  private var failure: StreamError?
  private var decoder: RecordDecoder
  private(set) var summary = Summary()
  private var atEnd = Set<Int32>()

  public init(settings: Settings, options: StreamOptions) throws(StreamError) {
    self.settings = settings
    engine = WindowedAggregation(options: options)
    decoder = try RecordDecoder(
      toolkitSchemaID: settings.toolkitSchemaID,
      registry: settings.registry.map { SchemaRegistry(url: $0) })
  }

  deinit {
    if let rk { rd_kafka_destroy(rk) }
  }

  private static func now() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
  }

  /// Joins the group and consumes until stopped (SIGINT/SIGTERM), or with `exitAtEnd` until
  /// every assigned partition is at its end.
  public func run(progress: ((Summary) -> Void)? = nil) throws(StreamError) -> Summary {
    var props = KafkaProperties(bootstrap: settings.brokers, extra: [])
    props.set("group.id", settings.group)
    props.set("enable.auto.commit", "false")
    props.set("enable.auto.offset.store", "false")
    props.set("auto.offset.reset", "earliest")
    props.set("enable.partition.eof", "true")
    props.set("partition.assignment.strategy", "cooperative-sticky")
    props.set("client.id", "forecast-consume")
    for (k, v) in settings.properties { props.set(k, v) }
    let client: OpaquePointer
    do {
      client = try props.makeClient(RD_KAFKA_CONSUMER) { conf in
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
          guard let opaque, let rk, let partitions else { return }
          let me = Unmanaged<GroupConsumer>.fromOpaque(opaque).takeUnretainedValue()
          me.rebalance(rk, err, partitions)
        }
      }
    } catch {
      throw .kafka(error)
    }
    rk = client
    rd_kafka_poll_set_consumer(client)
    let topic = engine.options.topic
    do throws(KafkaError) {
      let count = try partitionCount(
        client: client, topic: topic, brokers: settings.brokers,
        timeoutMs: Int32(settings.connectTimeoutSeconds * 1000))
      guard count == TopicLayout.partitionCount else {
        throw KafkaError.wrongPartitionCount(
          topic: topic, found: count, needed: TopicLayout.partitionCount)
      }
    } catch {
      throw .kafka(error)
    }
    // Directories and the state's configuration, once the cluster has answered.
    try engine.open()
    let list = makePartitionList(topic: topic, [(RD_KAFKA_PARTITION_UA, Int64(0))])
    let err = rd_kafka_subscribe(client, list)
    rd_kafka_topic_partition_list_destroy(list)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw .kafka(.failed(operation: "subscribe to \(topic)", reason: kafkaErrorText(err)))
    }
    signal(SIGINT) { _ in stopRequested = 1 }
    signal(SIGTERM) { _ in stopRequested = 1 }
    var lastCheckpoint = Self.now()
    var lastProgress = lastCheckpoint
    var result: StreamError?
    loop: while stopRequested == 0 {
      if let failure {
        result = failure
        break
      }
      guard let message = rd_kafka_consumer_poll(client, 100) else {
        let now = Self.now()
        if now - lastCheckpoint >= Int64(settings.checkpointSeconds) * 1000 {
          do { try checkpoint(now: now) } catch {
            result = error
            break loop
          }
          lastCheckpoint = now
        }
        continue
      }
      defer { rd_kafka_message_destroy(message) }
      let m = message.pointee
      if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
        atEnd.insert(m.partition)
        engine.atEnd(m.partition, since: Self.now())
        if settings.exitAtEnd && !engine.assigned.isEmpty
          && engine.assigned.allSatisfy({ atEnd.contains($0) })
        {
          break loop
        }
        continue
      }
      if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
        let text = m.payload.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? ""
        let reason = kafkaErrorText(m.err) + (text.isEmpty ? "" : " (\(text))")
        if m.err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC
          || m.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
          || m.err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED
          || m.err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED
        {
          result = .kafka(.failed(operation: "consume from \(topic)", reason: reason))
          break
        }
        continue  // transient: librdkafka retries
      }
      atEnd.remove(m.partition)
      engine.atEnd(m.partition, since: nil)
      do {
        try handle(partition: m.partition, offset: m.offset, message: m)
      } catch {
        result = error
        break
      }
      let now = Self.now()
      if engine.wantsCheckpoint {
        do { try checkpoint(now: now) } catch {
          result = error
          break
        }
        lastCheckpoint = now
      }
      if let progress, now - lastProgress >= 1000 {
        progress(summary)
        lastProgress = now
      }
    }
    if result == nil, let failure { result = failure }
    // A bad record past --max-bad stops the run: what came before it is still made durable.
    var closing: StreamError?
    do {
      if case .badRecord? = result {
        try checkpoint(now: Self.now())
      } else if result == nil {
        let allAtEnd = settings.exitAtEnd && engine.assigned.allSatisfy { atEnd.contains($0) }
        // One round: idle partitions follow first, so the world-wide windows they release close
        // in the same round.
        try checkpoint(now: Self.now(), allIdle: allAtEnd)
        if settings.closeOpen { try engine.writeOpenWindows() }
      }
    } catch {
      closing = error
    }
    rd_kafka_consumer_close(client)
    if let error = result ?? closing ?? failure { throw error }
    return summary
  }

  private func handle(partition p: Int32, offset: Int64, message m: rd_kafka_message_t)
    throws(StreamError)
  {
    summary.records += 1
    let value = UnsafeBufferPointer(
      start: m.payload?.assumingMemoryBound(to: UInt8.self), count: m.payload == nil ? 0 : m.len)
    let engine = self.engine
    var kept: UnsafeBufferPointer<UInt8>?
    let outcome = try decoder.decode(value) { body throws(StreamError) in kept = body }
    switch outcome {
    case .event(let event):
      guard let record = kept else { return }
      summary.events += 1
      try engine.accept(partition: p, offset: offset, event: event, record: record)
    case .bad(let reason):
      summary.bad += 1
      try engine.bad(partition: p, offset: offset, reason: reason)
    }
  }

  /// Makes the state durable, then stores and commits the offsets it covers.
  private func checkpoint(now: Int64, allIdle: Bool = false) throws(StreamError) {
    let offsets = try engine.checkpointRound(now: now, allIdle: allIdle)
    try commit(offsets)
  }

  private func commit(_ offsets: [(partition: Int32, offset: Int64)]) throws(StreamError) {
    guard let rk else { return }
    let valid = offsets.filter { $0.offset >= 0 }
    guard !valid.isEmpty else { return }
    let list = makePartitionList(topic: engine.options.topic, valid)
    defer { rd_kafka_topic_partition_list_destroy(list) }
    _ = rd_kafka_offsets_store(rk, list)
    let err = rd_kafka_commit(rk, list, 0)
    CrashPoint.reach("commit")
    // A commit that fails (a rebalance in flight, no coordinator yet) is retried at the next
    // checkpoint; the state, not the commit, is what a restarted member resumes from.
    if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET
      && getenv("FORECAST_KAFKA_LOG") != nil
    {
      printError("commit: \(kafkaErrorText(err))")
    }
  }

  /// Read from the beginning, a partition whose log no longer starts at offset 0 has lost
  /// records to retention: its first windows lack them, which the user should know.
  private func noteLostRecords(_ rk: OpaquePointer, topic: String, partition p: Int32) {
    var low: Int64 = 0
    var high: Int64 = 0
    let err = rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, 2000)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR, low > 0 else { return }
    printError(
      "note: partition \(p) (\(TopicLayout.directoryName(of: p))) starts at offset \(low), not 0: "
        + "the records before it are gone (the topic's retention), so its first windows lack them")
  }

  private func rebalance(
    _ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
  ) {
    let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
    let topic = engine.options.topic
    let given = entries(of: partitions).filter { $0.topic == topic }.map(\.partition)
    if err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
      var assignment: [(partition: Int32, offset: Int64)] = []
      for p in given {
        do {
          let offset = try engine.assign(p)
          assignment.append((p, offset))
          if offset == Int64(RD_KAFKA_OFFSET_BEGINNING) {
            noteLostRecords(rk, topic: topic, partition: p)
          }
        } catch {
          failure = failure ?? error
          assignment.append((p, Int64(RD_KAFKA_OFFSET_INVALID)))
        }
        atEnd.remove(p)
      }
      let list = makePartitionList(topic: topic, assignment)
      defer { rd_kafka_topic_partition_list_destroy(list) }
      if cooperative {
        if let e = rd_kafka_incremental_assign(rk, list) { rd_kafka_error_destroy(e) }
      } else {
        _ = rd_kafka_assign(rk, list)
      }
    } else {
      var offsets: [(partition: Int32, offset: Int64)] = []
      do {
        // Make everything durable (and world-wide windows closable) before letting go.
        offsets = try engine.checkpointRound(now: Self.now())
        for p in given { _ = try engine.revoke(p) }
      } catch {
        failure = failure ?? error
      }
      if failure == nil {
        do { try commit(offsets.filter { given.contains($0.partition) }) } catch {
          failure = failure ?? error
        }
      }
      for p in given { atEnd.remove(p) }
      if cooperative {
        if let e = rd_kafka_incremental_unassign(rk, partitions) { rd_kafka_error_destroy(e) }
      } else {
        _ = rd_kafka_assign(rk, nil)
      }
    }
  }
}
