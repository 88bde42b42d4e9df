import CKafka

#if canImport(Glibc)
import Glibc
#endif

/// librdkafka's in-process mock cluster: real Kafka protocol on 127.0.0.1, for trying the
/// streaming path and for tests, with nothing installed.
public final class MockCluster {
  private let rk: OpaquePointer
  private let cluster: OpaquePointer
  /// The bootstrap servers (`127.0.0.1:PORT,…`).
  public let bootstrap: String

  /// Starts `brokers` brokers and creates `topic` with `partitions` partitions.
  public init(brokers: Int = 3, topic: String? = TopicLayout.defaultTopic, partitions: Int = 7)
    throws(KafkaError)
  {
    guard let conf = rd_kafka_conf_new() else {
      throw .cannotCreateClient(reason: "rd_kafka_conf_new failed")
    }
    rd_kafka_conf_set_log_cb(conf, quietLog)
    var errstr = [CChar](repeating: 0, count: 512)
    guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
      throw .cannotCreateClient(reason: kafkaErrorText(errstr))
    }
    guard let cluster = rd_kafka_mock_cluster_new(rk, Int32(brokers)) else {
      rd_kafka_destroy(rk)
      throw .cannotCreateClient(reason: "the mock cluster did not start")
    }
    self.rk = rk
    self.cluster = cluster
    bootstrap = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    Self.disableNagle(listeningOn: bootstrap)
    if let topic {
      try createTopic(topic, partitions: partitions)
    }
  }

  /// Creates a topic (replication factor 1).
  public func createTopic(_ topic: String, partitions: Int) throws(KafkaError) {
    let err = rd_kafka_mock_topic_create(cluster, topic, Int32(partitions), 1)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw .failed(operation: "create topic \(topic)", reason: kafkaErrorText(err))
    }
  }

  /// Turns Nagle's algorithm off for the connections the mock brokers accept, as Kafka's own
  /// brokers do (and librdkafka's mock since 2.10, whose `socket.nagle.disable` defaults to
  /// true). librdkafka 2.0's mock leaves it on: a response written in two pieces holds its
  /// second one until the client acknowledges the first, which the client's kernel delays by
  /// 40 ms, so a client's first fetch from a broker waited 40–50 ms in most runs of
  /// `forecast-bench kafka` (every client alike: ours, kcat, Python), the process idle.
  /// Linux gives an accepted TCP socket the `TCP_NODELAY` of the socket that listened, so it is
  /// set on the brokers' listening sockets, found among this process's descriptors by their
  /// ports (`SO_ACCEPTCONN`). Best effort: a socket it cannot set keeps the old behaviour.
  ///
  /// - Parameter bootstrap: the brokers' `127.0.0.1:PORT,…` list.
  static func disableNagle(listeningOn bootstrap: String) {
    let ports = Set(
      bootstrap.split(separator: ",").compactMap { UInt16($0.split(separator: ":").last ?? "") })
    for fd in listeningSockets(ports: ports) {
      var on: Int32 = 1
      _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }
  }

  /// This process's listening IPv4 TCP sockets bound to one of `ports`.
  static func listeningSockets(ports: Set<UInt16>) -> [Int32] {
    guard !ports.isEmpty, let directory = opendir("/proc/self/fd") else { return [] }
    defer { closedir(directory) }
    var descriptors: [Int32] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) {
        String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
      }
      if let fd = Int32(name) { descriptors.append(fd) }
    }
    return descriptors.filter { fd in
      var address = sockaddr_in()
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
      }
      guard named == 0, address.sin_family == sa_family_t(AF_INET),
        ports.contains(UInt16(bigEndian: address.sin_port))
      else { return false }
      var listening: Int32 = 0
      var size = socklen_t(MemoryLayout<Int32>.size)
      return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0 && listening == 1
    }
  }

  deinit {
    rd_kafka_mock_cluster_destroy(cluster)
    rd_kafka_destroy(rk)
  }
}

/// One partition's lag: the group's committed offset against the high watermark.
public struct PartitionLag: Sendable, Equatable {
  public var partition: Int32
  /// nil when the group has committed nothing for the partition.
  public var committed: Int64?
  public var lowWatermark: Int64
  public var highWatermark: Int64
  /// Records not yet committed: high − committed (or high − low without a commit).
  public var lag: Int64 { highWatermark - (committed ?? lowWatermark) }
}

/// `forecast kafka lag`: committed offsets of a group against the partitions' high watermarks.
public enum ConsumerLag {
  public static func measure(
    brokers: String, group: String, topic: String,
    properties: [(key: String, value: String)] = [], timeoutSeconds: Int = 10
  ) throws(KafkaError) -> [PartitionLag] {
    var props = KafkaProperties(bootstrap: brokers, extra: [])
    props.set("group.id", group)
    props.set("enable.auto.commit", "false")
    for (k, v) in properties { props.set(k, v) }
    let rk = try props.makeClient(RD_KAFKA_CONSUMER)
    defer { rd_kafka_destroy(rk) }
    let timeout = Int32(timeoutSeconds * 1000)
    let count = try partitionCount(client: rk, topic: topic, brokers: brokers, timeoutMs: timeout)
    let list = makePartitionList(
      topic: topic, (0..<Int32(count)).map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
    defer { rd_kafka_topic_partition_list_destroy(list) }
    let err = rd_kafka_committed(rk, list, timeout)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw .failed(operation: "committed offsets of group \(group)", reason: kafkaErrorText(err))
    }
    var out: [PartitionLag] = []
    for e in entries(of: list) {
      var low: Int64 = 0
      var high: Int64 = 0
      let w = rd_kafka_query_watermark_offsets(rk, topic, e.partition, &low, &high, timeout)
      guard w == RD_KAFKA_RESP_ERR_NO_ERROR else {
        throw .failed(
          operation: "watermarks of \(topic)/\(e.partition)", reason: kafkaErrorText(w))
      }
      out.append(
        PartitionLag(
          partition: e.partition, committed: e.offset >= 0 ? e.offset : nil, lowWatermark: low,
          highWatermark: high))
    }
    return out
  }
}
