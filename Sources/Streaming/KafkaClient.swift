import CKafka

#if canImport(Glibc)
import Glibc
#endif

/// What went wrong talking to Kafka, with the fix.
public enum KafkaError: Error, Equatable, CustomStringConvertible {
  /// A `-X key=value` librdkafka refused.
  case badProperty(key: String, reason: String)
  /// A `-X` property the command sets itself (`flag` names the option that sets it, if any).
  case ownedProperty(key: String, flag: String)
  /// librdkafka could not create its client.
  case cannotCreateClient(reason: String)
  /// No broker answered within the timeout.
  case unreachable(brokers: String, seconds: Int, reason: String)
  /// The topic does not exist on the cluster.
  case noSuchTopic(topic: String, brokers: String)
  /// The topic's partitions do not fit the continent layout.
  case wrongPartitionCount(topic: String, found: Int, needed: Int)
  /// A request failed.
  case failed(operation: String, reason: String)

  public var description: String {
    switch self {
    case .badProperty(let key, let reason):
      return "-X \(key): \(reason); see librdkafka's CONFIGURATION.md for the property's values"
    case .ownedProperty(let key, let flag):
      return "-X \(key): consume sets this property itself"
        + (flag.isEmpty
          ? " (its crash safety rests on it); leave it out"
          : "; use \(flag) instead of -X \(key)")
    case .cannotCreateClient(let reason):
      return "cannot create the Kafka client: \(reason)"
    case .unreachable(let brokers, let seconds, let reason):
      return
        "no Kafka broker answered at \(brokers) within \(seconds) s (\(reason)); check -b "
        + "(host:port of a running broker, e.g. the address `forecast kafka mock` prints) and "
        + "any security settings (-X security.protocol=…)"
    case .noSuchTopic(let topic, let brokers):
      return
        "topic \(topic) does not exist at \(brokers); create it with seven partitions (one per "
        + "continent), e.g. kafka-topics.sh --create --topic \(topic) --partitions 7, or pass "
        + "the right -t"
    case .wrongPartitionCount(let topic, let found, let needed):
      return
        "topic \(topic) has \(found) partition\(found == 1 ? "" : "s"); the continent layout "
        + "needs \(needed) (Africa 0, Asia 1, Europe 2, North America 3, South America 4, "
        + "Oceania 5, unknown 6): create the topic with \(needed) partitions or pass another -t"
    case .failed(let operation, let reason):
      return "Kafka \(operation) failed: \(reason)"
    }
  }
}

/// librdkafka's text for an error code.
func kafkaErrorText(_ code: rd_kafka_resp_err_t) -> String {
  String(cString: rd_kafka_err2str(code))
}

/// The text librdkafka wrote into an `errstr` buffer: its bytes up to the first NUL (all of
/// them if it has none), as UTF-8.
func kafkaErrorText(_ buffer: [CChar]) -> String {
  let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
  return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Client properties: the toolkit's defaults, then the user's `-X key=value` pairs (which win).
public struct KafkaProperties: Sendable {
  public var values: [(key: String, value: String)] = []

  public init(bootstrap: String, extra: [(key: String, value: String)] = []) {
    values.append(("bootstrap.servers", bootstrap))
    values += extra
  }

  public mutating func set(_ key: String, _ value: String) {
    values.removeAll { $0.key == key }
    values.append((key, value))
  }

  /// Sets a default unless the user set `key`.
  mutating func setDefault(_ key: String, _ value: String) {
    if !values.contains(where: { $0.key == key }) { values.append((key, value)) }
  }

  public var bootstrap: String { values.last { $0.key == "bootstrap.servers" }?.value ?? "" }

  /// Parses `key=value` (a `-X` argument).
  public static func parse(_ argument: String) -> (key: String, value: String)? {
    guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else { return nil }
    return (String(argument[..<eq]), String(argument[argument.index(after: eq)...]))
  }

  /// A new librdkafka configuration holding these properties.
  func makeConf() throws(KafkaError) -> OpaquePointer {
    guard let conf = rd_kafka_conf_new() else {
      throw .cannotCreateClient(reason: "rd_kafka_conf_new failed")
    }
    var errstr = [CChar](repeating: 0, count: 512)
    for (key, value) in values {
      let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
      if result != RD_KAFKA_CONF_OK {
        rd_kafka_conf_destroy(conf)
        throw .badProperty(key: key, reason: kafkaErrorText(errstr))
      }
    }
    return conf
  }
}

extension KafkaProperties {
  /// A librdkafka client of `type` with these properties, its log kept quiet; `configure` sets
  /// callbacks and the opaque pointer on the configuration first.
  func makeClient(_ type: rd_kafka_type_t, configure: (OpaquePointer) -> Void = { _ in })
    throws(KafkaError) -> OpaquePointer
  {
    let conf = try makeConf()
    rd_kafka_conf_set_log_cb(conf, quietLog)
    configure(conf)
    var errstr = [CChar](repeating: 0, count: 512)
    // rd_kafka_new takes the configuration over when it succeeds, and not when it fails.
    guard let client = rd_kafka_new(type, conf, &errstr, errstr.count) else {
      rd_kafka_conf_destroy(conf)
      throw .cannotCreateClient(reason: kafkaErrorText(errstr))
    }
    return client
  }
}

/// Log lines of librdkafka are kept out of the user's terminal (the toolkit reports failures
/// itself) unless `FORECAST_KAFKA_LOG=1`.
let quietLog:
  @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    _, level, facility, message in
    guard getenv("FORECAST_KAFKA_LOG") != nil, let message else { return }
    let f = facility.map { String(cString: $0) } ?? ""
    printError("librdkafka[\(level)] \(f): \(String(cString: message))")
  }

/// A topic's partition count from the cluster's metadata. Asks for every topic's metadata, so
/// that asking never creates a mistyped topic on a broker that creates topics on request.
///
/// - Throws: `.unreachable` when no broker answers within `timeoutMs`, `.noSuchTopic`.
func partitionCount(
  client rk: OpaquePointer, topic: String, brokers: String, timeoutMs: Int32
) throws(KafkaError) -> Int {
  var metadata: UnsafePointer<rd_kafka_metadata>?
  let err = rd_kafka_metadata(rk, 1, nil, &metadata, timeoutMs)
  guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md = metadata else {
    throw .unreachable(
      brokers: brokers, seconds: Int(timeoutMs / 1000), reason: kafkaErrorText(err))
  }
  defer { rd_kafka_metadata_destroy(md) }
  for i in 0..<Int(md.pointee.topic_cnt) {
    let t = md.pointee.topics[i]
    guard String(cString: t.topic) == topic else { continue }
    if t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || t.partition_cnt == 0 { break }
    guard t.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw .failed(operation: "metadata for \(topic)", reason: kafkaErrorText(t.err))
    }
    return Int(t.partition_cnt)
  }
  throw .noSuchTopic(topic: topic, brokers: brokers)
}

/// A `rd_kafka_topic_partition_list_t` for one topic's partitions and offsets (librdkafka
/// aborts the process itself if it cannot allocate one).
func makePartitionList(topic: String, _ partitions: [(partition: Int32, offset: Int64)])
  -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
{
  guard let list = rd_kafka_topic_partition_list_new(Int32(max(partitions.count, 1))) else {
    fatalError("rd_kafka_topic_partition_list_new failed: out of memory")
  }
  for (p, offset) in partitions {
    rd_kafka_topic_partition_list_add(list, topic, p)?.pointee.offset = offset
  }
  return list
}

/// The (partition, offset, error) entries of a list.
func entries(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>)
  -> [(topic: String, partition: Int32, offset: Int64, err: rd_kafka_resp_err_t)]
{
  (0..<Int(list.pointee.cnt)).map { i in
    let e = list.pointee.elems[i]
    return (String(cString: e.topic), e.partition, e.offset, e.err)
  }
}

/// Writes a line to standard error.
func printError(_ line: String) {
  let text = line + "\n"
  var bytes = Array(text.utf8)
  _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}
