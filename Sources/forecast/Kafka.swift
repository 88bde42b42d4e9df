import ArgumentParser
import Events
import Foundation
import Streaming

/// librdkafka properties given as `-X key=value` (as kcat takes them).
struct KafkaPropertyOptions: ParsableArguments {
  @Option(
    name: .customShort("X"),
    help: ArgumentHelp(
      "A librdkafka property (repeatable), e.g. -X security.protocol=SASL_SSL.",
      valueName: "key=value"))
  var properties: [String] = []

  func parsed() throws -> [(key: String, value: String)] {
    try properties.map { p in
      guard let kv = KafkaProperties.parse(p) else {
        throw ValidationError("Please pass -X as key=value (got \"\(p.prefix(80))\").")
      }
      return kv
    }
  }
}

extension ForecastCommand {
  /// `forecast kafka mock|lag`.
  struct Kafka: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Kafka helpers: a local mock cluster, and a consumer group's lag.",
      subcommands: [Mock.self, Lag.self])

    struct Mock: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Start a local Kafka mock cluster (librdkafka's) and run until interrupted.",
        discussion: """
          Prints the bootstrap address (127.0.0.1:PORT,…) on standard output, then serves the \
          real Kafka protocol on loopback until SIGINT/SIGTERM. Data lives in memory only.
          """)

      @Option(help: "Partitions of the topic.")
      var partitions: Int = TopicLayout.partitionCount

      @Option(name: .shortAndLong, help: "The topic to create.")
      var topic: String = TopicLayout.defaultTopic

      @Option(help: "Brokers in the cluster (1…10).")
      var brokers: Int = 3

      func validate() throws {
        guard (1...10).contains(brokers) else {
          throw ValidationError("Please pass --brokers between 1 and 10 (got \(brokers)).")
        }
        guard (1...1000).contains(partitions) else {
          throw ValidationError("Please pass --partitions between 1 and 1000 (got \(partitions)).")
        }
      }

      func run() throws {
        let cluster = try MockCluster(brokers: brokers, topic: topic, partitions: partitions)
        // Written straight to the descriptor: a script reading the first line sees it at once.
        var line = Array((cluster.bootstrap + "\n").utf8)
        _ = line.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
        printError(
          "mock cluster: \(brokers) broker(s) at \(cluster.bootstrap), topic \(topic) with "
            + "\(partitions) partitions; Ctrl-C to stop")
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        var received: Int32 = 0
        sigwait(&set, &received)
        withExtendedLifetime(cluster) {}
      }
    }

    struct Lag: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "A consumer group's committed offset against the high watermark, per partition.")

      @Option(name: .shortAndLong, help: "Bootstrap brokers (host:port,…).")
      var brokers: String

      @Option(name: .customShort("G"), help: "The consumer group.")
      var group: String

      @Option(name: .shortAndLong, help: "The topic.")
      var topic: String = TopicLayout.defaultTopic

      @OptionGroup var kafka: KafkaPropertyOptions

      func run() throws {
        let lags = try ConsumerLag.measure(
          brokers: brokers, group: group, topic: topic, properties: try kafka.parsed())
        print("partition,continent,committed,high_watermark,lag")
        for l in lags {
          print(
            "\(l.partition),\(TopicLayout.directoryName(of: l.partition)),"
              + "\(l.committed.map(String.init) ?? ""),\(l.highWatermark),\(l.lag)")
        }
        let total = lags.reduce(Int64(0)) { $0 + $1.lag }
        printError("group \(group) on \(topic): \(total) records not yet committed")
      }
    }
  }

  /// `forecast produce HISTORY -b BROKERS`.
  struct Produce: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Send a history's events to Kafka, one partition per continent.",
      discussion: """
        Partitions: Africa 0, Asia 1, Europe 2, North America 3, South America 4, Oceania \
        (and Antarctica) 5, unknown 6, set on every record. Key: the user id as decimal text. \
        Value: Confluent wire format (byte 0, 4-byte big-endian schema id, Avro binary with \
        the toolkit's schema). Idempotent producer; exits non-zero if any event was not \
        delivered.
        """)

    @Argument(help: "The Avro history: a file, or a directory of .avro files.")
    var history: String

    @Option(name: .shortAndLong, help: "Bootstrap brokers (host:port,…).")
    var brokers: String

    @Option(name: .shortAndLong, help: "The topic (seven partitions).")
    var topic: String = TopicLayout.defaultTopic

    @Option(help: "Events per second (default: as fast as the brokers take them).")
    var rate: Double?

    @Option(
      help: "Replay event time this many times faster than real time (3600: an hour a second).")
    var speedup: Double?

    @Option(help: "The schema id written in each value's header (0…2147483647).")
    var schemaId: Int = 1

    @Option(help: "A Schema Registry URL: register the schema under TOPIC-value and use its id.")
    var registry: String?

    @OptionGroup var kafka: KafkaPropertyOptions

    func validate() throws {
      if rate != nil && speedup != nil {
        throw ValidationError("Please pass --rate or --speedup, not both.")
      }
      if let rate, !(rate > 0 && rate.isFinite) {
        throw ValidationError("Please pass --rate as a positive number of events per second.")
      }
      if let speedup, !(speedup > 0 && speedup.isFinite) {
        throw ValidationError(
          "Please pass --speedup as a positive factor (3600: an hour a second).")
      }
      guard (0...Int(Int32.max)).contains(schemaId) else {
        throw ValidationError("Please pass --schema-id between 0 and 2147483647 (got \(schemaId)).")
      }
    }

    func run() throws {
      var settings = EventProducer.Settings(brokers: brokers)
      settings.topic = topic
      settings.rate = rate
      settings.speedup = speedup
      settings.schemaID = UInt32(schemaId)
      settings.registry = registry
      settings.properties = try kafka.parsed()
      let producer = EventProducer(settings: settings)
      let verbose = isatty(2) != 0
      let summary = try producer.run(history: history) { s in
        if verbose { printError("produced \(s.produced), delivered \(s.delivered)") }
      }
      let parts = summary.perPartition.enumerated().map { "\($0.offset):\($0.element)" }
      printError(
        "\(summary.delivered) events delivered to \(topic) (schema id \(summary.schemaID)); "
          + "per partition \(parts.joined(separator: " "))")
    }
  }

  /// `forecast consume -b BROKERS -G GROUP --state DIR --out DIR`.
  struct Consume: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Consume the events as a group member; Wrapped aggregates per event-time window.",
      discussion: """
        Writes OUT/<window start>/<continent>/ and OUT/<window start>/world/ (the files \
        `forecast wrapped --from --to` writes) once per window, when the partition's stream \
        time (largest event start read) passes the window's end plus --grace; world-wide \
        windows close on the minimum over partitions (a partition idle for --idle, or with -e \
        at the end of its log, no longer holds them back). Late events: OUT/late.csv and \
        OUT/late.avro. State and outputs are made durable before offsets are committed: a \
        restarted member resumes exactly.
        """)

    @Option(name: .shortAndLong, help: "Bootstrap brokers (host:port,…).")
    var brokers: String

    @Option(name: .shortAndLong, help: "The topic (seven partitions).")
    var topic: String = TopicLayout.defaultTopic

    @Option(name: .customShort("G"), help: "The consumer group.")
    var group: String

    @Option(help: "The state directory (shared by the group's members).")
    var state: String

    @Option(help: "The output directory.")
    var out: String

    @Option(help: "Also keep the events as one Avro file per UTC day in this directory.")
    var archive: String?

    @Option(help: "Event-time window: day (UTC) or week (ISO, Monday to Monday).")
    var window: String = "day"

    @Option(
      help: "How long after its end a window waits for late events, in stream time (2h, 30m, 0).")
    var grace: String = "2h"

    @Option(
      help:
        "After this long at its end (wall clock), a partition no longer holds back world-wide windows (with -e: at once)."
    )
    var idle: String = "1m"

    @Option(help: "Items in each top list (1…100000).")
    var top: Int = 10

    @Option(help: "The schema id of the toolkit's event schema in the values' headers.")
    var schemaId: Int = 1

    @Option(help: "A Schema Registry URL for the writer schemas of other ids.")
    var registry: String?

    @Option(
      help:
        "Records that are not usable events to skip (counted in OUT/bad_records.csv) before stopping."
    )
    var maxBad: Int = 0

    @Option(
      help:
        "Events between checkpoints (fewer: less to read again after a crash; more: fewer fsyncs).")
    var checkpointEvery: Int = 200_000

    @Flag(
      name: .customShort("e"),
      help:
        "Exit when every assigned partition is at its end (bounded input: a partition at its end is idle at once)."
    )
    var exitAtEnd = false

    @Flag(help: "With -e: also write the windows still open, marked partial in summary.json.")
    var closeOpen = false

    @OptionGroup var kafka: KafkaPropertyOptions

    func validate() throws {
      guard WindowSize(rawValue: window) != nil else {
        throw ValidationError("Please pass --window day or week (got \"\(window.prefix(80))\").")
      }
      guard StreamDuration.parse(grace) != nil else {
        throw ValidationError(
          "Please pass --grace as a duration such as 2h, 30m, 90s, 0 (up to 366d; got \"\(grace.prefix(80))\")."
        )
      }
      guard let i = StreamDuration.parse(idle), i > 0 else {
        throw ValidationError(
          "Please pass --idle as a positive duration such as 1m or 30s (got \"\(idle.prefix(80))\")."
        )
      }
      guard (1...100_000).contains(top) else {
        throw ValidationError("Please pass --top between 1 and 100000 (got \(top)).")
      }
      guard (0...Int(Int32.max)).contains(schemaId) else {
        throw ValidationError("Please pass --schema-id between 0 and 2147483647 (got \(schemaId)).")
      }
      guard (1...100_000_000).contains(checkpointEvery) else {
        throw ValidationError(
          "Please pass --checkpoint-every between 1 and 100000000 events (got \(checkpointEvery)).")
      }
      guard maxBad >= 0 else {
        throw ValidationError("Please pass --max-bad as 0 or more (got \(maxBad)).")
      }
      if closeOpen && !exitAtEnd {
        throw ValidationError("--close-open applies to -e runs; add -e or drop --close-open.")
      }
    }

    func run() throws {
      var options = StreamOptions(stateDirectory: state, outDirectory: out)
      options.topic = topic
      options.window = WindowSize(rawValue: window) ?? .day
      options.graceMs = StreamDuration.parse(grace) ?? 0
      options.idleMs = StreamDuration.parse(idle) ?? 60_000
      options.top = top
      options.archiveDirectory = archive
      options.maxBad = maxBad
      options.checkpointEvents = checkpointEvery
      var settings = GroupConsumer.Settings(brokers: brokers, group: group)
      settings.properties = try kafka.parsed()
      settings.toolkitSchemaID = UInt32(schemaId)
      settings.registry = registry
      settings.exitAtEnd = exitAtEnd
      settings.closeOpen = closeOpen
      let consumer = try GroupConsumer(settings: settings, options: options)
      let verbose = isatty(2) != 0
      let summary = try consumer.run { s in
        if verbose { printError("read \(s.records) records, \(s.events) events") }
      }
      printError(
        "\(summary.records) records read: \(summary.events) events, \(summary.bad) bad; "
          + "outputs in \(out)")
    }
  }
}
