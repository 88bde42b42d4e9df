/// The Confluent Schema Registry wire format for single Kafka messages:
///
///     byte 0      magic, 0
///     bytes 1–4   schema id, big-endian
///     bytes 5…    the value's Avro binary encoding
public enum ConfluentWireFormat {
  /// The magic byte.
  public static let magic: UInt8 = 0

  /// Frames an Avro body with the header.
  ///
  /// - Parameters:
  ///   - schemaID: the registry's id of the writer's schema.
  ///   - body: the value's Avro binary encoding.
  /// - Returns: `[0, id (4 bytes, big-endian), body…]`.
  public static func frame(schemaID: UInt32, body: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [magic]
    out.reserveCapacity(5 + body.count)
    for shift in stride(from: 24, through: 0, by: -8) {
      out.append(UInt8(truncatingIfNeeded: schemaID >> UInt32(shift)))
    }
    out += body
    return out
  }

  /// Splits a message into its schema id and Avro body.
  ///
  /// - Throws: `AvroDecodingError` if the message is shorter than 5 bytes or its magic is not 0.
  public static func unframe(_ message: [UInt8]) throws(AvroDecodingError) -> (
    schemaID: UInt32, body: ArraySlice<UInt8>
  ) {
    guard let first = message.first, first == magic else {
      throw .notConfluentWireFormat(firstByte: message.first)
    }
    guard message.count >= 5 else { throw .truncatedConfluentHeader(message.count) }
    let id = message[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    return (id, message[5...])
  }

  /// Encodes `value` with `schema` and frames it.
  ///
  /// - Throws: `AvroEncodingError` if the value does not fit the schema.
  public static func encode(_ value: AvroValue, schema: AvroSchema, schemaID: UInt32)
    throws(AvroEncodingError) -> [UInt8]
  {
    frame(schemaID: schemaID, body: try value.encoded(with: schema))
  }

  /// Decodes a framed message whose writer's schema is `writerSchema(id)`.
  ///
  /// - Parameters:
  ///   - message: the framed bytes.
  ///   - writerSchema: the writer's schema for the message's id (from a registry or a cache).
  ///   - readerSchema: the schema to resolve to (nil: the writer's).
  /// - Returns: the message's schema id and value.
  /// - Throws: `AvroDecodingError`.
  public static func decode(
    _ message: [UInt8], writerSchema: AvroSchema, readerSchema: AvroSchema? = nil
  ) throws(AvroDecodingError) -> (schemaID: UInt32, value: AvroValue) {
    let (id, body) = try unframe(message)
    return (
      id,
      try AvroValue.decode(Array(body), writerSchema: writerSchema, readerSchema: readerSchema)
    )
  }

  /// Encodes one listening event with the toolkit's schema and frames it.
  public static func encode(_ event: ListeningEvent, schemaID: UInt32) -> [UInt8] {
    frame(schemaID: schemaID, body: EventEncoding.encode(event))
  }

  /// Decodes a framed listening event written with `writerSchema` (the toolkit's, the seed's
  /// Milestone-1 or Milestone-2 schema, …).
  ///
  /// - Throws: `AvroDecodingError`, or `AvroReadError.missingFields` if the writer's schema
  ///   lacks what the toolkit needs.
  public static func decodeEvent(
    _ message: [UInt8], writerSchema: AvroSchema = EventSchema.toolkit.schema
  ) throws -> (schemaID: UInt32, event: ListeningEvent) {
    let (id, body) = try unframe(message)
    return (id, try EventEncoding.decode(Array(body), writerSchema: writerSchema))
  }
}

/// Single-event encoding with the toolkit's schema (the Kafka path).
public enum EventEncoding {
  /// The Avro binary encoding of `event` under the toolkit's schema.
  public static func encode(_ event: ListeningEvent) -> [UInt8] {
    let value = AvroValue.record([
      .long(event.userID),
      .record([
        .float(event.location.latitude), .float(event.location.longitude),
        .string(event.location.country), .string(event.location.city),
        .string(event.location.timezone),
      ]),
      .string(event.interaction.rawValue), .string(event.song.name), .string(event.song.artist),
      .string(event.song.genre), .int(event.song.year), .int(event.song.popularity),
      .float(event.song.danceability), .float(event.song.energy), .int(event.song.lengthSeconds),
      .record([.long(event.startTime), .long(event.endTime)]), .string(event.personality),
      .string(event.continent.rawValue),
      .enumeration(
        index: Int(EventFileWriter.subscriptionIndex(event.subscription)),
        symbol: event.subscription.rawValue),
    ])
    // The value is built to the toolkit's schema, so encoding cannot fail.
    return (try? value.encoded(with: EventSchema.toolkit.schema)) ?? []
  }

  /// Decodes one event written with `writerSchema`, resolved as files are (for many messages
  /// of one schema, keep an `EventMessageDecoder`).
  ///
  /// - Throws: `AvroReadError.missingFields`/`.incompatibleSchema` for a schema the toolkit cannot
  ///   read, `AvroDecodingError` for bytes that are not one value.
  public static func decode(_ bytes: [UInt8], writerSchema: AvroSchema) throws -> ListeningEvent {
    try EventMessageDecoder(writerSchema: writerSchema).decode(bytes)
  }
}

/// Decodes single events of one writer's schema (Kafka messages): the plan is compiled once.
public final class EventMessageDecoder {
  private let decoder: EventBlockDecoder

  /// Compiles the plan for `writerSchema`.
  ///
  /// - Throws: `AvroReadError.missingFields` or `.incompatibleSchema`.
  public init(writerSchema: AvroSchema) throws(AvroReadError) {
    let program = try EventProgram(writer: writerSchema, path: "message")
    decoder = EventBlockDecoder(mode: .events, program: program, codec: .null, path: "message")
  }

  /// Decodes one event from its Avro binary encoding (no framing).
  ///
  /// - Throws: `AvroDecodingError` if the bytes are not exactly one event.
  public func decode(_ bytes: [UInt8]) throws(AvroDecodingError) -> ListeningEvent {
    try decoder.decode(records: bytes, count: 1)
    guard let event = decoder.events.first else { throw .corrupt("the message holds no event") }
    return event
  }
}

/// The identity of a decoder's string dictionaries: the ids of the batches decoded under one
/// epoch index the same strings (compared with `===`).
public final class DictionaryEpoch: Sendable {
  public init() {}
}

/// Decodes many single events of one writer's schema at once, as columns: the Kafka consumer's
/// fast path for a run of messages (their Avro bodies laid end to end decode like one block of
/// a container file, strings interned once per run instead of once per event).
public final class EventRecordsDecoder {
  private let decoder: EventBlockDecoder
  /// Per extended slot, the dictionary's strings made so far (extended as it grows).
  private var values: [[String]] = Array(
    repeating: [], count: EventBlockDecoder.extendedSlots.count)
  private var valuesEpoch: DictionaryEpoch?
  /// Identifies the dictionaries the string columns of the batches index: batches decoded
  /// under the same epoch share ids (a string keeps its id, `values` only grow), so a caller
  /// can keep what it derived per id from one batch to the next.
  public var epoch: DictionaryEpoch { decoder.dictionaryEpoch }

  /// Compiles the plan for `writerSchema`, delivering every column
  /// (`EventFileReader.forEachBatch(extended: true)`'s).
  ///
  /// - Throws: `AvroReadError.missingFields` or `.incompatibleSchema`.
  public init(writerSchema: AvroSchema) throws(AvroReadError) {
    let program = try EventProgram(writer: writerSchema, path: "message")
    decoder = EventBlockDecoder(
      mode: .columns, program: program, codec: .null, path: "message", extended: true)
    decoder.keepsDictionaries = true
  }

  /// Decodes `count` events whose Avro binary encodings (no framing) are `bytes`, end to end.
  /// String columns index the decoder's dictionaries, which `epoch` identifies (kept from one
  /// call to the next while they stay below 65,536 strings a slot).
  ///
  /// - Parameters:
  ///   - bytes: the encodings, end to end.
  ///   - count: how many events they hold.
  ///   - ends: where each event's encoding ends (bytes from the start: the messages'
  ///     boundaries), checked when given: an event that ends elsewhere fails the run.
  /// - Returns: the events, as columns.
  /// - Throws: `AvroDecodingError` if the bytes are not exactly `count` events (one bad record
  ///   fails the run: decode its messages one by one to find it).
  public func decode(
    _ bytes: [UInt8], count: Int, ends: [Int]? = nil
  ) throws(AvroDecodingError) -> EventBatch {
    try decoder.decode(records: bytes, count: count, ends: ends)
    return try batch(count: count)
  }

  /// `decode(_:count:ends:)` for events each in a buffer of its own (Kafka messages' bodies,
  /// read where they are), each taking its whole buffer.
  ///
  /// - Throws: `AvroDecodingError` if a buffer does not hold exactly one event.
  public func decode(separate records: [UnsafeBufferPointer<UInt8>]) throws(AvroDecodingError)
    -> EventBatch
  {
    try decoder.decode(separate: records)
    return try batch(count: records.count)
  }

  /// The batch of the `count` events just decoded.
  private func batch(count: Int) throws(AvroDecodingError) -> EventBatch {
    guard decoder.userID.count == count else {
      throw .corrupt("\(decoder.userID.count) events decoded of \(count)")
    }
    if valuesEpoch !== decoder.dictionaryEpoch {
      valuesEpoch = decoder.dictionaryEpoch
      for k in values.indices { values[k].removeAll() }
    }
    var columns: [DictionaryColumn] = []
    for (k, slot) in EventBlockDecoder.extendedSlots.enumerated() {
      let table = decoder.dictionaries + slot
      for id in values[k].count..<table.pointee.count {
        values[k].append(table.pointee.string(Int32(id)))
      }
      columns.append(DictionaryColumn(indices: decoder.stringIDs[slot], values: values[k]))
    }
    return EventBatch(decoder, columns: columns)
  }
}
