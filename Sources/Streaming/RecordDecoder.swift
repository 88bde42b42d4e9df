import Events
import Plumbing

/// Turns a Kafka message value into an event: Confluent framing (magic byte 0, 4-byte
/// big-endian schema id, Avro binary), the writer's schema by id (the toolkit's own under
/// `--schema-id`, others from a registry), and the toolkit's encoding for the state files.
final class RecordDecoder {
  private let toolkitID: UInt32?
  private let registry: SchemaRegistry?
  private var decoders: [UInt32: (decoder: EventMessageDecoder, isToolkit: Bool)] = [:]
  private var unknown: [UInt32: String] = [:]
  private var scratch: [UInt8] = []
  /// The toolkit's encoding of the last event decoded from another schema.
  private var reencoded: [UInt8] = []
  /// Runs of messages with the toolkit's schema, decoded at once.
  private let runDecoder: EventRecordsDecoder?
  private var runBodies: [UnsafeBufferPointer<UInt8>] = []

  init(toolkitSchemaID: UInt32?, registry: SchemaRegistry?) throws(StreamError) {
    toolkitID = toolkitSchemaID
    self.registry = registry
    runDecoder = try? EventRecordsDecoder(writerSchema: EventSchema.toolkit.schema)
    if let id = toolkitSchemaID {
      do {
        decoders[id] = (try EventMessageDecoder(writerSchema: EventSchema.toolkit.schema), true)
      } catch {
        throw .invalidOption(flag: "--schema-id", value: String(id), reason: "\(error)")
      }
    }
  }

  enum Outcome {
    case event(ListeningEvent)
    case bad(String)
  }

  /// Decodes `value`; on success `body` gives the record's toolkit encoding to keep.
  func decode(
    _ value: UnsafeBufferPointer<UInt8>,
    body: (UnsafeBufferPointer<UInt8>) throws(StreamError) -> Void
  ) throws(StreamError) -> Outcome {
    guard value.count > 0 else {
      return .bad("an empty value (a tombstone?), not a Confluent-framed Avro event")
    }
    guard value[0] == 0 else {
      let hex = String(value[0], radix: 16, uppercase: true)
      return .bad(
        "not Confluent-framed Avro: the value starts with byte 0x\(hex.count == 1 ? "0" : "")\(hex), "
          + "not the magic byte 0")
    }
    guard value.count >= 5 else {
      return .bad("a Confluent header cut short (\(value.count) bytes of 5)")
    }
    let id = value[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    guard let (decoder, isToolkit) = try decoder(for: id) else {
      return .bad(unknown[id] ?? "schema id \(id) is unknown")
    }
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: value[5...]))
    let event: ListeningEvent
    do {
      event = try decoder.decode(scratch)
    } catch {
      return .bad("the Avro body does not decode with schema id \(id): \(error)")
    }
    if isToolkit {
      try body(UnsafeBufferPointer(rebasing: value[5...]))
    } else {
      reencoded = EventEncoding.encode(event)
      try reencoded.withUnsafeBufferPointer { p throws(StreamError) in try body(p) }
    }
    return .event(event)
  }

  /// The fast path for a run of one partition's messages: when each is framed with a schema id
  /// known to be the toolkit's, their bodies decode at once, as columns, where they are.
  ///
  /// - Returns: the events, their toolkit encodings (the messages' bodies) and the epoch of the
  ///   batch's dictionaries (`EventRecordsDecoder.epoch`), or nil when the run takes the
  ///   message-by-message path (another or a new schema id, a framing problem, a body that
  ///   does not decode: that path finds and reports it).
  func decodeRun(_ values: [UnsafeBufferPointer<UInt8>]) -> (
    EventBatch, [UnsafeBufferPointer<UInt8>], DictionaryEpoch
  )? {
    guard let runDecoder, !values.isEmpty else { return nil }
    runBodies.removeAll(keepingCapacity: true)
    var known: UInt32?
    for value in values {
      guard value.count >= 5, value[0] == 0 else { return nil }
      let id = value[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
      if id != known {
        guard decoders[id]?.isToolkit == true else { return nil }
        known = id
      }
      runBodies.append(UnsafeBufferPointer(rebasing: value[5...]))
    }
    do {
      let batch = try runDecoder.decode(separate: runBodies)
      return (batch, runBodies, runDecoder.epoch)
    } catch {
      return nil
    }
  }

  private func decoder(for id: UInt32) throws(StreamError) -> (EventMessageDecoder, Bool)? {
    if let d = decoders[id] { return d }
    if unknown[id] != nil { return nil }
    guard let registry else {
      unknown[id] =
        "schema id \(id) is unknown: pass --schema-id \(id) if it is the toolkit's event schema, "
        + "or --registry URL to look it up"
      return nil
    }
    let schema: AvroSchema
    let text: String
    do {
      (schema, text) = try registry.schema(id: id)
    } catch StreamError.registry(_, let reason) where reason.hasPrefix("no schema") {
      unknown[id] = "schema id \(id) is unknown to the registry \(registry.url)"
      return nil
    }
    do {
      let d = try EventMessageDecoder(writerSchema: schema)
      let isToolkit =
        (try? JSONValue.parse(text)) != nil
        && (try? JSONValue.parse(text)) == (try? JSONValue.parse(EventSchema.toolkit.json))
      decoders[id] = (d, isToolkit)
      return (d, isToolkit)
    } catch {
      unknown[id] =
        "schema id \(id) (from \(registry.url)) does not describe listening events: \(error)"
      return nil
    }
  }
}
