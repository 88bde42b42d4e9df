import Plumbing

/// Why an Avro container file could not be read: the file, the block (0-based) or record where it
/// went wrong, and what to do. Blocks and records are counted from 0; offsets are in bytes.
public enum AvroReadError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The file could not be opened or read (`reason` is the system's message).
  case cannotRead(path: String, reason: String)
  /// The file has no bytes.
  case emptyFile(path: String)
  /// The file does not start with Avro's magic `Obj`: it is not an Avro container file.
  case notAvro(path: String)
  /// The magic is `Obj` but the version byte is not 1.
  case unsupportedVersion(path: String, version: UInt8)
  /// The header (metadata map, sync marker) is cut short or malformed.
  case invalidHeader(path: String, reason: String)
  /// The header has no `avro.schema`.
  case missingSchema(path: String)
  /// The header's schema is not a valid Avro schema.
  case invalidSchema(path: String, AvroSchemaError)
  /// The file's schema cannot be read with the reader's schema.
  case incompatibleSchema(path: String, AvroResolutionError)
  /// The file's records lack fields the toolkit needs (and which have no default); `found`
  /// lists the file's fields (`name: type`).
  case missingFields(path: String, fields: [String], found: [String])
  /// The header names a codec this reader does not implement.
  case unknownCodec(path: String, codec: String)
  /// The file ends inside block `block` (it was cut: copied partially, or still being written).
  case truncatedBlock(path: String, block: Int, offset: Int, needed: Int, available: Int)
  /// The 16 bytes after block `block` are not the file's sync marker.
  case syncMarkerMismatch(path: String, block: Int, offset: Int)
  /// Block `block` declares a record count that cannot be (negative, or more records than its
  /// bytes can hold).
  case invalidBlockCount(path: String, block: Int, offset: Int, count: Int64)
  /// Block `block` declares a byte size that cannot be (negative, beyond the file, or not where
  /// the sync marker is: `actual` is the size the sync marker shows, when found).
  case invalidBlockSize(path: String, block: Int, offset: Int, size: Int64, actual: Int?)
  /// Block `block` holds more or fewer records than it declares.
  case recordCountMismatch(path: String, block: Int, declared: Int, reason: String)
  /// Block `block` does not decompress.
  case corruptBlock(path: String, block: Int, codec: AvroCodec, reason: String)
  /// Block `block`'s snappy CRC-32 does not match its decompressed data.
  case checksumMismatch(path: String, block: Int, expected: UInt32, actual: UInt32)
  /// Record `record` of block `block` does not decode.
  case corruptRecord(path: String, block: Int, record: Int, reason: String)
  /// Bytes after the last block that are not a block.
  case trailingBytes(path: String, offset: Int, count: Int)
  /// The file's field `fileField`, read into the toolkit's `field`, is of type `found`, which
  /// cannot be read as the toolkit's type `needed` (nor promoted to it).
  case fieldTypeMismatch(
    path: String, field: String, fileField: String, found: String, needed: String)
  /// Record `record` (counted from 1 in the file) holds a value the toolkit cannot use: a null
  /// in a field every event needs, or a union branch the field cannot hold. The file is intact;
  /// the event is damage (`EventReadOptions.damagedEvents`).
  case damagedEvent(path: String, record: Int, flaw: EventFlaw)

  /// The file the error is about.
  public var path: String {
    switch self {
    case .cannotRead(let p, _), .emptyFile(let p), .notAvro(let p), .unsupportedVersion(let p, _),
      .invalidHeader(let p, _), .missingSchema(let p), .invalidSchema(let p, _),
      .incompatibleSchema(let p, _), .missingFields(let p, _, _), .unknownCodec(let p, _),
      .truncatedBlock(let p, _, _, _, _), .syncMarkerMismatch(let p, _, _),
      .invalidBlockCount(let p, _, _, _), .invalidBlockSize(let p, _, _, _, _),
      .recordCountMismatch(let p, _, _, _), .corruptBlock(let p, _, _, _),
      .checksumMismatch(let p, _, _, _), .corruptRecord(let p, _, _, _),
      .trailingBytes(let p, _, _), .damagedEvent(let p, _, _),
      .fieldTypeMismatch(let p, _, _, _, _):
      return p
    }
  }

  /// The block where the damage starts, for errors about one block.
  public var block: Int? {
    switch self {
    case .truncatedBlock(_, let b, _, _, _), .syncMarkerMismatch(_, let b, _),
      .invalidBlockCount(_, let b, _, _), .invalidBlockSize(_, let b, _, _, _),
      .recordCountMismatch(_, let b, _, _), .corruptBlock(_, let b, _, _),
      .checksumMismatch(_, let b, _, _), .corruptRecord(_, let b, _, _):
      return b
    default: return nil
    }
  }

  /// The message without its closing advice to pass `--salvage` (for salvage reports, where
  /// salvage is already on).
  public var damage: String {
    var text = description
    if text.hasSuffix(AvroReadError.salvageHint) {
      text.removeLast(AvroReadError.salvageHint.count)
    }
    if text.hasSuffix(" Restore the file from its source.") {
      text.removeLast(" Restore the file from its source.".count)
    }
    return text
  }

  /// The writer types the event reader reads as each toolkit type (promotions, extensions).
  static let readableAs = [
    "long": "int", "float": "int, long or double",
    "string": "bytes or an enum",
  ]

  private static let salvageHint =
    " Restore the file from its source, or pass --salvage to keep the intact blocks around the damage."

  public var description: String {
    switch self {
    case .cannotRead(let path, let reason):
      return "\(path): cannot read the file (\(reason)). Check the path and its permissions."
    case .emptyFile(let path):
      return "\(path): the file is empty, not an Avro container file. Check that it was written "
        + "completely, or pass the right file."
    case .notAvro(let path):
      return "\(path): not an Avro container file (Avro files start with the bytes O, b, j, 0x01). "
        + "Pass an Avro object container file (.avro)."
    case .unsupportedVersion(let path, let version):
      return "\(path): Avro container version \(version) is not supported (only version 1 is). "
        + "Rewrite the file with an Avro 1.x writer."
    case .invalidHeader(let path, let reason):
      return "\(path): the file header is damaged (\(reason)). Restore the file from its source."
    case .missingSchema(let path):
      return "\(path): the header has no avro.schema. Rewrite the file with an Avro writer."
    case .invalidSchema(let path, let error):
      return "\(path): the file's schema is invalid: \(error)"
    case .incompatibleSchema(let path, let error):
      return "\(path): the file's schema does not resolve against the toolkit's schema: \(error)"
    case .missingFields(let path, let fields, let found):
      // Names come from --map and from the file: each clipped to 80 characters.
      let has = found.isEmpty ? "no fields" : found.map(Quoted.clipped).joined(separator: ", ")
      let lacking = fields.map(Quoted.clipped).joined(separator: ", ")
      return "\(path): the records lack the field(s) \(lacking), which the "
        + "toolkit needs; the file has \(has). Map the file's fields onto them with --map "
        + "TOOLKIT_FIELD=FILE_FIELD (e.g. --map user_id=uid, "
        + "--map listening_time.end_time=start+duration_ms), or write them (or aliases the "
        + "toolkit knows: see Sources/Events/Schemas/ListeningEvent.avsc)."
    case .unknownCodec(let path, let codec):
      return
        "\(path): unknown codec \"\(codec)\" (this reader knows null, deflate, snappy, zstandard). "
        + "Rewrite the file with one of those codecs."
    case .truncatedBlock(let path, let block, let offset, let needed, let available):
      return "\(path): the file ends inside block \(block) at byte \(offset): it needs \(needed) "
        + "more bytes, \(available) remain; the file was cut." + AvroReadError.salvageHint
    case .syncMarkerMismatch(let path, let block, let offset):
      return "\(path): block \(block): the sync marker at byte \(offset) is corrupt."
        + AvroReadError.salvageHint
    case .invalidBlockCount(let path, let block, let offset, let count):
      return "\(path): block \(block) at byte \(offset) declares \(count) records, which cannot be."
        + AvroReadError.salvageHint
    case .invalidBlockSize(let path, let block, let offset, let size, let actual):
      let shown = actual.map { " (its sync marker shows \($0))" } ?? ""
      return
        "\(path): block \(block) at byte \(offset) declares \(size) bytes, which is wrong\(shown)."
        + AvroReadError.salvageHint
    case .recordCountMismatch(let path, let block, let declared, let reason):
      return "\(path): block \(block) declares \(declared) records but \(reason)."
        + AvroReadError.salvageHint
    case .corruptBlock(let path, let block, let codec, let reason):
      return "\(path): block \(block) is not valid \(codec.rawValue) data (\(reason))."
        + AvroReadError.salvageHint
    case .checksumMismatch(let path, let block, let expected, let actual):
      return "\(path): block \(block): snappy CRC-32 mismatch (stored \(hex(expected)), computed "
        + "\(hex(actual))): the block is corrupt." + AvroReadError.salvageHint
    case .corruptRecord(let path, let block, let record, let reason):
      return "\(path): block \(block), record \(record) is corrupt: \(reason)."
        + AvroReadError.salvageHint
    case .trailingBytes(let path, let offset, let count):
      return "\(path): \(count) bytes after the last block (from byte \(offset)) are not an Avro "
        + "block. Remove them (truncate the file to \(offset) bytes), or pass --salvage to ignore them."
    case .fieldTypeMismatch(let path, let field, let fileField, let found, let needed):
      let name = fileField == field ? field : "\(Quoted.clipped(fileField)) (for \(field))"
      let what = found == "union" ? "a union with no branch of a type it can read" : found
      if field == "user_id" {
        return "\(path): the file's \(name) is \(what), but the toolkit needs integer user ids "
          + "(long or int). Map an integer field of the file with --map user_id=FIELD, or convert "
          + "the ids to integers (e.g. number the distinct ids) and rewrite the file."
      }
      let promoted = AvroReadError.readableAs[needed].map { " (or \($0))" } ?? ""
      return "\(path): the file's \(name) is \(what), but the toolkit reads \(field) as "
        + "\(needed)\(promoted). Map a field of such a type with --map \(field)=FIELD, or "
        + "rewrite the file with \(field) as \(needed)."
    case .damagedEvent(let path, let record, let flaw):
      return "\(path): record \(record): \(flaw.problem); \(flaw.fix). "
        + (flaw.found == "null" ? "Fix the file, or pass" : "Or pass")
        + " --out-of-range skip to leave such events out."
    }
  }
}

private func hex(_ v: UInt32) -> String {
  let s = String(v, radix: 16)
  return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
