import CKafka
import Events
import Plumbing

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
  private var topicHandle: OpaquePointer?
  private var failure: StreamError?
  private var decoder: RecordDecoder
  private(set) var summary = Summary()
  private var atEnd = Set<Int32>()
  /// Whether the group ever assigned this member partitions. Until it has, the member has
  /// nothing to commit, and its handle is left to the process's exit: librdkafka 2.0 (Debian's)
  /// aborts when a cooperative-sticky consumer is closed or destroyed after joining and before
  /// its first assignment (its issue #4312, fixed in 2.3.0), which a SIGTERM during the join hit.
  private var everAssigned = false
  private var subscribed = false
  /// The offsets the group acknowledged for this member's last commit of each partition.
  private var committed: [Int32: Int64] = [:]
  /// Set once the run's last checkpoint round is done and nothing is read after it: the
  /// revocation that `rd_kafka_consumer_close` then delivers has nothing left to make durable
  /// but each partition's own state (a second round would redo the last one's directory
  /// listings, locks and fsyncs, and commit the same offsets again).
  private var finalRoundDone = false

  public init(settings: Settings, options: StreamOptions) throws(StreamError) {
    self.settings = settings
    engine = WindowedAggregation(options: options)
    engine.idleAtEnd = settings.exitAtEnd
    decoder = try RecordDecoder(
      toolkitSchemaID: settings.toolkitSchemaID,
      registry: settings.registry.map { SchemaRegistry(url: $0) })
  }

  deinit {
    guard everAssigned || !subscribed else { return }
    if let topicHandle { rd_kafka_topic_destroy(topicHandle) }
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
    // A consumer allocates and frees the same buffers all its life (its own and librdkafka's):
    // the process keeps freed memory for reuse rather than faulting the same pages in again.
    MemoryPolicy.keepFreedMemory()
    var props = KafkaProperties(bootstrap: settings.brokers, extra: [])
    props.set("group.id", settings.group)
    props.set("enable.auto.commit", "false")
    props.set("enable.auto.offset.store", "false")
    props.set("auto.offset.reset", "earliest")
    props.set("enable.partition.eof", "true")
    props.set("partition.assignment.strategy", "cooperative-sticky")
    props.set("client.id", "forecast-consume")
    // A consumer faster than the fetcher's 100,000-message threshold: once the queue holds that
    // many, librdkafka 2.0 stops fetching the partition and looks again only about a second
    // later (its later `fetch.queue.backoff.ms`), a stall a fast reader hits at every burst.
    // The prefetch stays bounded by `queued.max.messages.kbytes` (64 MB).
    props.set("queued.min.messages", "1000000")
    // The properties the consumer's correctness rests on come from its own flags: a -X that
    // changed them would commit under another group, read another cluster than the one
    // messages name, never see a partition's end (-e would wait forever), commit on its own
    // or store offsets before the outputs are durable.
    let owned: [String: String] = [
      "group.id": "-G", "bootstrap.servers": "-b", "metadata.broker.list": "-b",
      "enable.partition.eof": "-e", "enable.auto.commit": "", "enable.auto.offset.store": "",
      "partition.assignment.strategy": "", "group.protocol": "",
    ]
    for (k, _) in settings.properties {
      if let flag = owned[k] { throw .kafka(.ownedProperty(key: k, flag: flag)) }
    }
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
    // The topic's partitions and their leaders known before the group assigns any: else
    // librdkafka may start an assigned partition before it knows its leader, and then retries
    // its first offset lookup only after a fixed 500 ms.
    topicHandle = rd_kafka_topic_new(client, topic, nil)
    if let rkt = topicHandle {
      var metadata: UnsafePointer<rd_kafka_metadata>?
      let err = rd_kafka_metadata(
        client, 0, rkt, &metadata, Int32(settings.connectTimeoutSeconds * 1000))
      if err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata { rd_kafka_metadata_destroy(metadata) }
    }
    // Directories and the state's configuration, once the cluster has answered.
    try engine.open()
    let list = makePartitionList(topic: topic, [(RD_KAFKA_PARTITION_UA, Int64(0))])
    let err = rd_kafka_subscribe(client, list)
    rd_kafka_topic_partition_list_destroy(list)
    subscribed = err == RD_KAFKA_RESP_ERR_NO_ERROR
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw .kafka(.failed(operation: "subscribe to \(topic)", reason: kafkaErrorText(err)))
    }
    signal(SIGINT) { _ in stopRequested = 1 }
    signal(SIGTERM) { _ in stopRequested = 1 }
    var lastCheckpoint = Self.now()
    var lastProgress = lastCheckpoint
    var result: StreamError?
    // Messages come in batches; a batch's consecutive messages of one partition decode at once.
    guard let queue = rd_kafka_queue_get_consumer(client) else {
      throw .kafka(.failed(operation: "consume from \(topic)", reason: "no consumer queue"))
    }
    defer { rd_kafka_queue_destroy(queue) }
    var messages = [UnsafeMutablePointer<rd_kafka_message_t>?](
      repeating: nil, count: Self.batchSize)
    loop: while stopRequested == 0 {
      if let failure {
        result = failure
        break
      }
      // What is there now (a batch call with a timeout waits for a full batch); else wait
      // for the next message.
      var n = messages.withUnsafeMutableBufferPointer { buffer in
        Int(rd_kafka_consume_batch_queue(queue, 0, buffer.baseAddress, buffer.count))
      }
      if n == 0 {
        n = messages.withUnsafeMutableBufferPointer { buffer in
          Int(rd_kafka_consume_batch_queue(queue, 100, buffer.baseAddress, 1))
        }
      }
      if n < 0 {
        let reason = String(cString: strerror(errno))
        result = .kafka(.failed(operation: "consume from \(topic)", reason: reason))
        break
      }
      guard n > 0 else {
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
      defer {
        for i in 0..<n { rd_kafka_message_destroy(messages[i]) }
      }
      var i = 0
      while i < n {
        guard let m = messages[i]?.pointee else {
          i += 1
          continue
        }
        if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
          atEnd.insert(m.partition)
          engine.atEnd(m.partition, since: Self.now())
          if settings.exitAtEnd && !engine.assigned.isEmpty
            && engine.assigned.allSatisfy({ atEnd.contains($0) })
          {
            break loop
          }
          i += 1
          continue
        }
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
          let text =
            m.payload.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? ""
          let reason = kafkaErrorText(m.err) + (text.isEmpty ? "" : " (\(text))")
          if m.err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC
            || m.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
            || m.err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED
            || m.err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED
          {
            result = .kafka(.failed(operation: "consume from \(topic)", reason: reason))
            break loop
          }
          i += 1
          continue  // transient: librdkafka retries
        }
        // The run of this partition's records that follows.
        var run = [m]
        var j = i + 1
        while j < n, let next = messages[j]?.pointee, next.err == RD_KAFKA_RESP_ERR_NO_ERROR,
          next.partition == m.partition
        {
          run.append(next)
          j += 1
        }
        i = j
        atEnd.remove(m.partition)
        engine.atEnd(m.partition, since: nil)
        do {
          try handle(run: run)
        } catch {
          result = error
          break loop
        }
      }
      let now = Self.now()
      do { try engine.closeWorldWindowsBetweenRounds(now: now) } catch {
        result = error
        break
      }
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
        finalRoundDone = true
      } else if result == nil {
        let allAtEnd = settings.exitAtEnd && engine.assigned.allSatisfy { atEnd.contains($0) }
        // One round: idle partitions follow first, so the world-wide windows they release close
        // in the same round.
        try checkpoint(now: Self.now(), allIdle: allAtEnd, closeOpen: settings.closeOpen)
        finalRoundDone = true
      }
    } catch {
      closing = error
    }
    if everAssigned { rd_kafka_consumer_close(client) }
    if let error = result ?? closing ?? failure { throw error }
    return summary
  }

  /// Messages taken from librdkafka at once.
  static let batchSize = 1024

  /// Consecutive records of one partition: decoded at once when they all carry the toolkit's
  /// schema and decode, else one by one (which finds and reports a bad one exactly).
  private func handle(run: [rd_kafka_message_t]) throws(StreamError) {
    if run.count > 1 {
      let values = run.map { m in
        UnsafeBufferPointer(
          start: m.payload?.assumingMemoryBound(to: UInt8.self), count: m.payload == nil ? 0 : m.len
        )
      }
      if let (batch, records, epoch) = decoder.decodeRun(values) {
        summary.records += Int64(run.count)
        summary.events += Int64(run.count)
        try engine.accept(
          partition: run[0].partition, offsets: run.map(\.offset), batch: batch, records: records,
          epoch: epoch)
        return
      }
    }
    for m in run { try handle(partition: m.partition, offset: m.offset, message: m) }
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
  private func checkpoint(now: Int64, allIdle: Bool = false, closeOpen: Bool = false)
    throws(StreamError)
  {
    let offsets = try engine.checkpointRound(now: now, allIdle: allIdle, closeOpen: closeOpen)
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
    if err == RD_KAFKA_RESP_ERR_NO_ERROR {
      for (p, offset) in valid { committed[p] = offset }
    }
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
      everAssigned = true
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
        if finalRoundDone {
          // Closing after the last round: each partition's state only (written already, so
          // normally nothing), and a commit only where the last one did not go through.
          for p in given {
            if let offset = try engine.revoke(p), committed[p] != offset {
              offsets.append((p, offset))
            }
          }
        } else {
          // Make everything durable (and world-wide windows closable) before letting go.
          offsets = try engine.checkpointRound(now: Self.now())
          for p in given { _ = try engine.revoke(p) }
        }
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
