/// Why a `.safetensors` file could not be read or written. Every message names the file, what is
/// wrong and what to do.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
  /// The file could not be opened, read or written.
  case io(path: String, operation: String, reason: String)
  /// The file is shorter than the 8-byte header length.
  case tooShort(path: String, size: Int)
  /// The header length field does not fit the file.
  case headerLengthPastEnd(path: String, headerLength: UInt64, fileSize: Int)
  /// The file is recognisably something else (`found` says what, e.g. an Avro container file).
  case otherFormat(path: String, found: String)
  /// The header is not valid JSON.
  case headerNotJSON(path: String, offset: Int, detail: String)
  /// The header is JSON but not the safetensors layout.
  case malformedHeader(path: String, detail: String)
  /// A tensor's dtype is not one this toolkit reads.
  case unsupportedDType(path: String, tensor: String, dtype: String)
  /// A tensor's byte range does not match its shape and dtype.
  case sizeMismatch(path: String, tensor: String, shape: [Int], dtype: String, bytes: Int)
  /// A tensor's byte range runs past the end of the data.
  case offsetsPastEnd(path: String, tensor: String, end: Int, dataSize: Int)
  /// Two tensors' byte ranges overlap.
  case overlappingOffsets(path: String, first: String, second: String)
  /// The data section holds bytes no tensor covers.
  case unusedBytes(path: String, covered: Int, dataSize: Int)

  public var description: String {
    let hint =
      "The file is damaged or not a safetensors file: write it again with this toolkit or Python's safetensors."
    switch self {
    case .io(let path, let operation, let reason):
      return "\(path): cannot \(operation): \(reason). Check the path and its permissions."
    case .tooShort(let path, let size):
      return
        "\(path): the file is \(size) bytes, shorter than the 8-byte header length that starts every safetensors file. \(hint)"
    case .headerLengthPastEnd(let path, let n, let size):
      return
        "\(path): the header length says \(n) bytes, but only \(max(0, size - 8)) bytes follow it (file size \(size)); the file is truncated or corrupt. \(hint)"
    case .otherFormat(let path, let found):
      return
        "\(path): this is \(found), not a safetensors model. Give the model file here (what `forecast train --out` wrote, a .safetensors file), and the history where the command takes it."
    case .headerNotJSON(let path, let offset, let detail):
      return
        "\(path): the header is not valid JSON at byte \(offset) of the header: \(detail). \(hint)"
    case .malformedHeader(let path, let detail):
      return "\(path): corrupt header: \(detail). \(hint)"
    case .unsupportedDType(let path, let tensor, let dtype):
      return
        "\(path): tensor \"\(tensor)\" has dtype \(dtype); this toolkit reads only F32 and F64. Convert the tensor to float32 or float64 before saving."
    case .sizeMismatch(let path, let tensor, let shape, let dtype, let bytes):
      // Checked: a damaged shape's product may overflow.
      var product: Int? = dtype == "F64" ? 8 : 4
      for d in shape {
        guard let p = product else { break }
        let (next, overflow) = p.multipliedReportingOverflow(by: d)
        product = overflow ? nil : next
      }
      let need = product.map(String.init) ?? "more than \(Int.max)"
      return
        "\(path): tensor \"\(tensor)\" of shape \(shape) and dtype \(dtype) needs \(need) bytes, but its data_offsets span \(bytes) bytes. \(hint)"
    case .offsetsPastEnd(let path, let tensor, let end, let dataSize):
      return
        "\(path): tensor \"\(tensor)\" ends at data byte \(end), past the end of the data (\(dataSize) bytes); the file is truncated. \(hint)"
    case .overlappingOffsets(let path, let first, let second):
      return "\(path): the data of tensors \"\(first)\" and \"\(second)\" overlap. \(hint)"
    case .unusedBytes(let path, let covered, let dataSize):
      return
        "\(path): the tensors cover \(covered) of the \(dataSize) data bytes; the rest belongs to no tensor. \(hint)"
    }
  }
}
