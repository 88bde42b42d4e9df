extension EventFileWriter {
  /// Appends every record of the Avro container file at `path`, in order.
  ///
  /// A file whose writer's schema is this writer's, word for word (the consumer's own state
  /// segments), is copied as encoded: each block is read and decompressed, each record's end is
  /// found by skipping its fields (`AvroSkipPlan`: a flat list of steps, checked as it goes —
  /// enum indices, booleans, lengths), and the records go to `writeEncoded`; no event is built
  /// and none encoded again. Any other file is read as events and each one written.
  ///
  /// - Parameter path: an Avro container file of listening events.
  /// - Returns: the records appended.
  /// - Throws: `AvroReadError` when the file cannot be read or is damaged (a record that does
  ///   not skip cleanly, a block whose bytes and declared count disagree), `AvroWriteError` when
  ///   this writer cannot write.
  @discardableResult
  package func appendRecords(of path: String) throws -> Int {
    let reader = try AvroFileReader(path: path)
    guard reader.container.schemaText == schema.json else {
      let events = try EventFileReader(path: path)
      var appended = 0
      while let event = try events.next() {
        try write(event)
        appended += 1
      }
      return appended
    }
    let recordSchema = reader.writerSchema
    let plan = AvroSkipPlan(recordSchema)
    var ends: [Int] = []
    var appended = 0
    var writeFailure: AvroWriteError?
    do {
      try reader.forEachRecordBlock { (c, count, block) throws(AvroReadError) in
        let base = c.position
        ends.removeAll(keepingCapacity: true)
        for record in 0..<count {
          do throws(AvroDecodeFailure) {
            if let plan { try plan.skip(&c) } else { try skipValue(recordSchema, &c) }
          } catch {
            throw .corruptRecord(path: path, block: block, record: record, reason: error.reason)
          }
          ends.append(c.position - base)
        }
        do throws(AvroWriteError) {
          try writeEncoded(UnsafeBufferPointer(start: base, count: c.position - base), ends: ends)
        } catch {
          // Stops the reading; the write error is what is thrown.
          writeFailure = error
          throw .cannotRead(path: path, reason: "not copied: \(error)")
        }
        appended += count
      }
    } catch {
      if let writeFailure { throw writeFailure }
      throw error
    }
    return appended
  }
}
