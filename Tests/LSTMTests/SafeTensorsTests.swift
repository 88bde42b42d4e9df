import Foundation
import LSTM
import Tensor
import TestSupport
import XCTest

final class SafeTensorsTests: XCTestCase {
  var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "lstm-safetensors-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  func model<S: BLASScalar>(_: S.Type) -> LSTMForecaster<S> {
    var rng = SeededGenerator(seed: 9)
    return LSTMForecaster<S>(
      configuration: LSTMForecasterConfiguration(
        inputSize: 3, hiddenSize: 4, layerCount: 2, outputSize: 6, dropout: 0.25),
      using: &rng)
  }

  func checkRoundTrip<S: BLASScalar>(_: S.Type) throws {
    let m = model(S.self)
    let path = directory + "/model.safetensors"
    try m.save(to: path, metadata: ["series": "weekly \"hours\"\n", "quantiles": "[0.1,0.5,0.9]"])
    let (loaded, metadata) = try LSTMForecaster<S>.load(from: path)
    XCTAssertEqual(loaded.configuration, m.configuration)
    XCTAssertEqual(loaded.parameters.values, m.parameters.values)  // bit-exact
    XCTAssertEqual(loaded.parameters.names, m.parameters.names)
    XCTAssertEqual(metadata["series"], "weekly \"hours\"\n")
    XCTAssertEqual(metadata["lstm.layer_count"], "2")
    XCTAssertFalse(
      try FileManager.default.contentsOfDirectory(atPath: directory).contains {
        $0.contains(".tmp-")
      })
  }

  func testRoundTrip_Float() throws { try checkRoundTrip(Float.self) }
  func testRoundTrip_Double() throws { try checkRoundTrip(Double.self) }

  /// Empty tensors hold no data, so their other dimension could claim any size: a hidden size
  /// of 2^62 (4H overflows) is refused with a message, not a trap.
  func testLoad_emptyTensorsClaimingHugeSizes_refused() throws {
    let huge = "4611686018427387904"
    let header =
      #"{"lstm.weight_ih_l0":{"dtype":"F32","shape":[0,1],"data_offsets":[0,0]},"#
      + #""lstm.weight_hh_l0":{"dtype":"F32","shape":[0,"# + huge + #"],"data_offsets":[0,0]},"#
      + #""head.weight":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]}}"#
    var bytes: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: header.utf8.count >> (8 * $0)) }
    bytes += Array(header.utf8) + [0, 0, 0, 0]
    let path = directory + "/huge.safetensors"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    XCTAssertThrowsError(try LSTMForecaster<Float>.load(from: path)) { error in
      XCTAssertTrue("\(error)".contains("expected [4H, H], [4H, I] and [K, H]"), "\(error)")
    }
  }

  func testNames_followPyTorch() {
    XCTAssertEqual(
      model(Float.self).parameters.names,
      [
        "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
        "lstm.weight_ih_l1", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1",
        "head.weight", "head.bias",
      ])
  }

  // MARK: - Python's safetensors

  func python(_ script: String, _ arguments: [String]) throws -> Data {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = ["python3", "-c", "import safetensors, numpy"]
    probe.standardError = FileHandle.nullDevice
    do { try probe.run() } catch {
      throw XCTSkip("python3 is not installed; run scripts/install-deps")
    }
    probe.waitUntilExit()
    if probe.terminationStatus != 0 {
      throw XCTSkip("Python's safetensors or numpy package is missing; run scripts/install-deps")
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script] + arguments
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
      XCTFail("python3 failed: \(String(decoding: errors, as: UTF8.self))")
      return Data()
    }
    return data
  }

  func testPython_readsOurFile() throws {
    let m = model(Float.self)
    let path = directory + "/ours.safetensors"
    try m.save(to: path, metadata: ["note": "written by Swift"])
    let script = """
      import json, sys
      from safetensors import safe_open
      with safe_open(sys.argv[1], "np") as f:
          out = {"metadata": f.metadata(), "tensors": {k: {"dtype": str(f.get_tensor(k).dtype),
                 "shape": list(f.get_tensor(k).shape), "values": f.get_tensor(k).ravel().tolist()}
                 for k in f.keys()}}
      print(json.dumps(out))
      """
    let data = try python(script, [path])
    let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let metadata = try XCTUnwrap(json["metadata"] as? [String: String])
    XCTAssertEqual(metadata["note"], "written by Swift")
    let tensors = try XCTUnwrap(json["tensors"] as? [String: [String: Any]])
    XCTAssertEqual(Set(tensors.keys), Set(m.parameters.names))
    for entry in m.parameters.entries {
      let t = try XCTUnwrap(tensors[entry.name])
      XCTAssertEqual(t["dtype"] as? String, "float32", entry.name)
      XCTAssertEqual(t["shape"] as? [Int], entry.shape.dimensions, entry.name)
      let values = try XCTUnwrap(t["values"] as? [Double]).map { Float($0) }
      XCTAssertEqual(values, m.parameters[entry.name].scalars, entry.name)
    }
  }

  func testPython_writesFileWeRead() throws {
    let path = directory + "/python.safetensors"
    let script = """
      import sys, numpy as np
      from safetensors.numpy import save_file
      save_file({"a": (np.arange(6, dtype=np.float32).reshape(2, 3) / 3).astype(np.float32),
                 "b": np.array([1.5, -2.25, 1e-300], dtype=np.float64)},
                sys.argv[1], metadata={"k": "v \\u00fc"})
      """
    _ = try python(script, [path])
    let (tensors, metadata) = try loadSafeTensors(path: path, as: Double.self)
    XCTAssertEqual(metadata, ["k": "v ü"])
    let a = try XCTUnwrap(tensors["a"])
    XCTAssertEqual(a.shape, [2, 3])
    XCTAssertEqual(a.scalars, (0..<6).map { Double(Float($0) / 3) })
    XCTAssertEqual(tensors["b"]?.scalars, [1.5, -2.25, 1e-300])
  }

  // MARK: - Damaged files

  func write(_ bytes: [UInt8], _ name: String) throws -> String {
    let path = directory + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  func file(header: String, data: [UInt8]) -> [UInt8] {
    var n = UInt64(header.utf8.count).littleEndian
    return withUnsafeBytes(of: &n) { Array($0) } + Array(header.utf8) + data
  }

  func assertRefused(
    _ path: String, saying fragments: [String], file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertThrowsError(try loadSafeTensors(path: path, as: Float.self), file: file, line: line) {
      error in
      let text = "\(error)"
      for fragment in fragments {
        XCTAssertTrue(
          text.contains(fragment), "message \"\(text)\" lacks \"\(fragment)\"", file: file,
          line: line)
      }
      XCTAssertTrue(
        text.hasPrefix(path), "message should start with the path: \(text)", file: file, line: line)
    }
  }

  func testCorruptHeader_isRefusedWithPosition() throws {
    let path = try write(
      file(
        header: "{\"w\": {\"dtype\": \"F32\", \"shape\": [1] \"data_offsets\": [0, 4]}}",
        data: [0, 0, 0, 0]), "corrupt.safetensors")
    assertRefused(
      path, saying: ["the header is not valid JSON at byte 36", "expected ',' or '}', found '\"'"])
  }

  func testTruncatedFile_isRefused() throws {
    let m = model(Float.self)
    let path = directory + "/full.safetensors"
    try m.save(to: path)
    let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
    let cut = try write(Array(bytes.dropLast(10)), "cut.safetensors")
    assertRefused(
      cut,
      saying: ["tensor \"head.bias\" ends at data byte", "past the end of the data", "truncated"])
    let short = try write([1, 2, 3], "short.safetensors")
    assertRefused(short, saying: ["the file is 3 bytes, shorter than the 8-byte header length"])
    let headerCut = try write(Array(bytes.prefix(40)), "headercut.safetensors")
    assertRefused(
      headerCut, saying: ["the header length says", "only 32 bytes follow it (file size 40)"])
  }

  func testOtherFormats_areNamed() throws {
    // The history given where the model goes: an Avro container file says so.
    let avro = try write(Array("Obj".utf8) + [1] + Array(repeating: 0x41, count: 60), "h.avro")
    assertRefused(
      avro,
      saying: [
        "this is an Avro container file (a listening history?), not a safetensors model",
        "what `forecast train --out` wrote",
      ])
    // A CSV: its first line is quoted (at most 40 characters of it).
    let csv = try write(Array("series_id,timestamp,value\nA,2024-01-01,3\n".utf8), "p.csv")
    assertRefused(csv, saying: ["this is a text file (it starts \"series_id,timestamp,value\")"])
    let long = try write(Array((String(repeating: "x", count: 50) + "\n").utf8), "long.txt")
    assertRefused(long, saying: ["(it starts \"\(String(repeating: "x", count: 40))…\")"])
    // Binary that is neither keeps the header-length message.
    let binary = try write([0xFF, 0xFE, 0, 0, 0, 0, 0, 0x80, 1, 2, 3, 4], "b.bin")
    assertRefused(binary, saying: ["the header length says"])
  }

  func testWrongDType_isRefused() throws {
    let path = try write(
      file(
        header: "{\"w\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        data: Array(repeating: 0, count: 8)),
      "int.safetensors")
    assertRefused(path, saying: ["tensor \"w\" has dtype I32; this toolkit reads only F32 and F64"])
  }

  func testBadOffsets_areRefused() throws {
    let overlap = try write(
      file(
        header:
          "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
        data: Array(repeating: 0, count: 12)), "overlap.safetensors")
    assertRefused(overlap, saying: ["the data of tensors \"a\" and \"b\" overlap"])
    let mismatch = try write(
      file(
        header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
        data: Array(repeating: 0, count: 8)),
      "mismatch.safetensors")
    assertRefused(
      mismatch,
      saying: ["shape [3] and dtype F32 needs 12 bytes, but its data_offsets span 8 bytes"])
  }

  func testModelWithWrongShapes_isRefused() throws {
    let path = directory + "/other.safetensors"
    var t = model(Float.self).parameters.namedTensors
    t[9] = ("head.bias", Tensor<Float>(zeros: [5]))
    try saveSafeTensors(t, metadata: [:], to: path)
    XCTAssertThrowsError(try LSTMForecaster<Float>.load(from: path)) { error in
      XCTAssertEqual(
        "\(error)",
        "\(path): tensor \"head.bias\" has shape [5], but this model needs [6]. The file was written for other sizes; use the matching configuration or retrain."
      )
    }
  }
}
