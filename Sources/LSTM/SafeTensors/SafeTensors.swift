import Plumbing
import Tensor

#if canImport(Glibc)
import Glibc
#endif

// The safetensors format (https://github.com/huggingface/safetensors):
//
//     [8 bytes: N, little-endian UInt64] [N bytes: JSON header] [data]
//     header = {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//               "__metadata__": {"<key>": "<string>", ...}}
//
// Offsets are relative to the start of the data; tensors are raw little-endian, row-major. The
// writer pads the header with spaces to a multiple of 8 bytes, as the Python package does, and
// lays the tensors out in the order given, back to back.

/// Writes tensors and a free-form string metadata map as a `.safetensors` file, atomically (a
/// temporary file beside `path`, renamed over it at the end).
///
/// - Parameters:
///   - tensors: `(name, tensor)` in file order; names must be unique and not `__metadata__`.
///   - metadata: written as the header's `__metadata__` object (omitted when empty).
///   - path: the destination.
/// - Throws: `SafeTensorsError.io` when the file cannot be written.
public func saveSafeTensors<Scalar: BLASScalar>(
  _ tensors: [(name: String, tensor: Tensor<Scalar>)], metadata: [String: String] = [:],
  to path: String
) throws {
  var names = Set<String>()
  for (name, _) in tensors {
    precondition(
      name != "__metadata__" && names.insert(name).inserted,
      "saveSafeTensors: duplicate or reserved tensor name \(name)")
  }
  let width = MemoryLayout<Scalar>.size
  var header = "{"
  var entries: [String] = []
  if !metadata.isEmpty {
    let items = metadata.sorted { $0.key < $1.key }.map {
      "\(JSONValue.quoted($0.key)):\(JSONValue.quoted($0.value))"
    }
    entries.append("\"__metadata__\":{" + items.joined(separator: ",") + "}")
  }
  var offset = 0
  for (name, tensor) in tensors {
    let bytes = tensor.count * width
    let shape = tensor.shape.dimensions.map(String.init).joined(separator: ",")
    entries.append(
      "\(JSONValue.quoted(name)):{\"dtype\":\"\(Scalar.safetensorsDType)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}"
    )
    offset += bytes
  }
  header += entries.joined(separator: ",") + "}"
  var headerBytes = Array(header.utf8)
  while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

  var file: [UInt8] = []
  file.reserveCapacity(8 + headerBytes.count + offset)
  var n = UInt64(headerBytes.count).littleEndian
  withUnsafeBytes(of: &n) { file.append(contentsOf: $0) }
  file.append(contentsOf: headerBytes)
  for (_, tensor) in tensors {
    tensor.withUnsafeBufferPointer { buffer in
      for v in buffer {
        if Scalar.self == Float.self {
          var bits = Float(v).bitPattern.littleEndian
          withUnsafeBytes(of: &bits) { file.append(contentsOf: $0) }
        } else {
          var bits = Double(v).bitPattern.littleEndian
          withUnsafeBytes(of: &bits) { file.append(contentsOf: $0) }
        }
      }
    }
  }
  try writeFileAtomically(file, to: path)
}

/// Reads a `.safetensors` file written by this toolkit or by Python's `safetensors`, checking
/// everything: the header length against the file size, the JSON, each dtype (F32 or F64, read
/// into `Scalar`), each shape against its byte range, ranges past the end, overlapping ranges and
/// bytes no tensor covers.
///
/// - Parameters:
///   - path: the file.
///   - type: the precision to read into (F32 and F64 data are both converted to it).
/// - Returns: the tensors by name, their names in file (offset) order, and the metadata map.
/// - Throws: `SafeTensorsError`, whose message says what is wrong.
public func loadSafeTensors<Scalar: BLASScalar>(
  path: String, as type: Scalar.Type = Scalar.self
) throws -> (tensors: [String: Tensor<Scalar>], metadata: [String: String]) {
  let r: SafeTensorsFile<Scalar> = try readSafeTensorsFile(path: path)
  return (r.tensors, r.metadata)
}

/// The parsed content of a safetensors file.
struct SafeTensorsFile<Scalar: BLASScalar> {
  var tensors: [String: Tensor<Scalar>]
  var order: [String]
  var metadata: [String: String]
}

/// What a file whose header length cannot be right is instead, when its first bytes say so: an
/// Avro container file (the history, given where the model goes), or text (a CSV, say).
func recognisedOtherFormat(_ bytes: [UInt8]) -> String? {
  if FileSignature.isAvroContainer(bytes) { return FileSignature.avroDescription }
  return FileSignature.textFirstLine(bytes).map { "a text file (it starts \"\($0)\")" }
}

func readSafeTensorsFile<Scalar: BLASScalar>(path: String) throws -> SafeTensorsFile<Scalar> {
  let bytes = try readWholeFile(path)
  guard let n = FileSignature.safeTensorsHeaderLength(bytes) else {
    throw SafeTensorsError.tooShort(path: path, size: bytes.count)
  }
  guard n <= UInt64(bytes.count - 8) else {
    if let found = recognisedOtherFormat(bytes) {
      throw SafeTensorsError.otherFormat(path: path, found: found)
    }
    throw SafeTensorsError.headerLengthPastEnd(path: path, headerLength: n, fileSize: bytes.count)
  }
  let headerEnd = 8 + Int(n)
  let json: JSONValue
  do {
    json = try JSONValue.parse(bytes: Array(bytes[8..<headerEnd]))
  } catch {
    throw SafeTensorsError.headerNotJSON(path: path, offset: error.offset, detail: error.reason)
  }
  guard case .object(let members) = json else {
    throw SafeTensorsError.malformedHeader(
      path: path, detail: "the header is \(json.kind), not an object")
  }
  let dataSize = bytes.count - headerEnd
  var metadata: [String: String] = [:]
  var ranges: [(name: String, begin: Int, end: Int)] = []
  var tensors: [String: Tensor<Scalar>] = [:]
  for (name, value) in members {
    if name == "__metadata__" {
      guard case .object(let items) = value else {
        throw SafeTensorsError.malformedHeader(
          path: path, detail: "__metadata__ is \(value.kind), not an object of strings")
      }
      for (key, item) in items {
        guard case .string(let text) = item else {
          throw SafeTensorsError.malformedHeader(
            path: path, detail: "__metadata__[\"\(key)\"] is \(item.kind), not a string")
        }
        metadata[key] = text
      }
      continue
    }
    let info = try TensorInfo(name: name, value: value, path: path)
    let width: Int
    switch info.dtype {
    case "F32": width = 4
    case "F64": width = 8
    default: throw SafeTensorsError.unsupportedDType(path: path, tensor: name, dtype: info.dtype)
    }
    let (count, overflow) = info.shape.reduce((1, false)) { acc, d in
      let (p, o) = acc.0.multipliedReportingOverflow(by: d)
      return (p, acc.1 || o)
    }
    let (byteCount, tooMany) = count.multipliedReportingOverflow(by: width)
    if overflow || tooMany || info.end - info.begin != byteCount {
      throw SafeTensorsError.sizeMismatch(
        path: path, tensor: name, shape: info.shape, dtype: info.dtype, bytes: info.end - info.begin
      )
    }
    if info.end > dataSize {
      throw SafeTensorsError.offsetsPastEnd(
        path: path, tensor: name, end: info.end, dataSize: dataSize)
    }
    ranges.append((name, info.begin, info.end))
    let start = headerEnd + info.begin
    tensors[name] = Tensor(shape: TensorShape(info.shape)) { out in
      for k in 0..<count {
        var bits: UInt64 = 0
        let at = start + k * width
        for b in (0..<width).reversed() { bits = bits << 8 | UInt64(bytes[at + b]) }
        out[k] =
          width == 4
          ? Scalar(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
          : Scalar(Double(bitPattern: bits))
      }
    }
  }
  ranges.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
  var covered = 0
  for k in ranges.indices {
    if k > 0, ranges[k].begin < ranges[k - 1].end {
      throw SafeTensorsError.overlappingOffsets(
        path: path, first: ranges[k - 1].name, second: ranges[k].name)
    }
    covered += ranges[k].end - ranges[k].begin
  }
  if covered != dataSize {
    throw SafeTensorsError.unusedBytes(path: path, covered: covered, dataSize: dataSize)
  }
  return SafeTensorsFile(tensors: tensors, order: ranges.map(\.name), metadata: metadata)
}

/// One header entry, checked field by field.
struct TensorInfo {
  var dtype: String
  var shape: [Int]
  var begin: Int
  var end: Int

  init(name: String, value: JSONValue, path: String) throws {
    func bad(_ detail: String) -> SafeTensorsError {
      .malformedHeader(path: path, detail: "tensor \"\(name)\": \(detail)")
    }
    guard case .object(let fields) = value else {
      throw bad("entry is \(value.kind), not an object")
    }
    func field(_ key: String) throws -> JSONValue {
      guard let v = fields.first(where: { $0.key == key })?.value else {
        throw bad("missing \"\(key)\"")
      }
      return v
    }
    for (key, _) in fields where !["dtype", "shape", "data_offsets"].contains(key) {
      throw bad("unknown field \"\(key)\"")
    }
    guard case .string(let dtype) = try field("dtype") else {
      throw bad("\"dtype\" is not a string")
    }
    func integers(_ key: String) throws -> [Int] {
      guard case .array(let items) = try field(key) else { throw bad("\"\(key)\" is not an array") }
      return try items.map {
        guard case .number(_, let integer?) = $0, integer >= 0 else {
          throw bad("\"\(key)\" holds \($0.kind) that is not a non-negative integer")
        }
        return Int(integer)
      }
    }
    let shape = try integers("shape")
    let offsets = try integers("data_offsets")
    guard offsets.count == 2, offsets[0] <= offsets[1] else {
      throw bad("\"data_offsets\" must be [begin, end] with begin ≤ end, got \(offsets)")
    }
    self.dtype = dtype
    self.shape = shape
    self.begin = offsets[0]
    self.end = offsets[1]
  }
}

// MARK: - Files

func readWholeFile(_ path: String) throws -> [UInt8] {
  guard let file = fopen(path, "rb") else {
    throw SafeTensorsError.io(
      path: path, operation: "open for reading", reason: String(cString: strerror(errno)))
  }
  defer { fclose(file) }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 20)
  while true {
    let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
    if got > 0 { bytes.append(contentsOf: chunk[0..<got]) }
    if got < chunk.count {
      if ferror(file) != 0 {
        throw SafeTensorsError.io(
          path: path, operation: "read", reason: String(cString: strerror(errno)))
      }
      break
    }
  }
  return bytes
}

/// Writes `bytes` to `path` through Plumbing's atomic output (temporary file, fsync, rename,
/// fsync of the directory).
func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
  do {
    try AtomicOutput.write(bytes, to: path)
  } catch {
    throw SafeTensorsError.io(path: path, operation: "write the file", reason: error.reason)
  }
}
