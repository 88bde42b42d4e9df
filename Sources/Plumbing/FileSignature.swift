/// The toolkit's own file kinds told apart by their first bytes: for the Avro reader and writer,
/// and for messages that say what a file given in the wrong place is (a history where a model
/// goes, a model where a CSV goes).
package enum FileSignature {
  /// The first four bytes of an Avro object container file: "Obj" and 0x01.
  package static let avroMagic: [UInt8] = [0x4F, 0x62, 0x6A, 0x01]

  /// What an Avro container file given in the wrong place most likely is, for messages.
  package static let avroDescription = "an Avro container file (a listening history?)"

  /// Whether `bytes` start like an Avro object container file.
  package static func isAvroContainer(_ bytes: [UInt8]) -> Bool {
    bytes.starts(with: avroMagic)
  }

  /// The header length a safetensors file starts with: its first 8 bytes, little-endian (nil
  /// when there are fewer).
  package static func safeTensorsHeaderLength(_ bytes: [UInt8]) -> UInt64? {
    guard bytes.count >= 8 else { return nil }
    return bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
  }

  /// Whether `bytes` start like a safetensors file: a header length the file holds, then the
  /// header's JSON object with its first key (`{"`).
  package static func isSafeTensors(_ bytes: [UInt8]) -> Bool {
    guard let n = safeTensorsHeaderLength(bytes), bytes.count >= 10 else { return false }
    return n <= UInt64(bytes.count - 8) && bytes[8] == 0x7B && bytes[9] == 0x22
  }

  /// The first line of `bytes`, at most 40 characters of it (then "…"), when their first 64
  /// bytes are printable ASCII text (tabs and line ends allowed); nil for anything else.
  package static func textFirstLine(_ bytes: [UInt8]) -> String? {
    let head = bytes.prefix(64)
    let printable = head.allSatisfy {
      $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20...0x7E).contains($0)
    }
    guard printable,
      let line = String(bytes: head.prefix { $0 != 0x0A && $0 != 0x0D }, encoding: .ascii)
    else { return nil }
    return line.count > 40 ? String(line.prefix(40)) + "…" : line
  }
}
