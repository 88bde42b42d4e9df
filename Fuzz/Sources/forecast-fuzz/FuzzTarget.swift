import Events
import Forecast
import Foundation
import LSTM
import Simulation

/// One fuzz target: a parser of input a user controls, run on arbitrary bytes. Each must either
/// succeed or throw; a trap, a sanitizer report, a hang (libFuzzer's `-timeout`) or memory past
/// `-rss_limit_mb` is a finding.
enum FuzzTarget: String, CaseIterable {
  /// The Avro object container reader over the file's own schema (`AvroFileReader`).
  case avroContainer = "avro-container"
  /// The Avro schema parser, then the binary decoder: schema JSON, a zero byte, one value.
  case avroSchema = "avro-schema"
  /// The event decoder (`EventFileReader`) over a container of any schema, strict then salvage.
  case events
  /// The series CSV reader (`SeriesCSV.read`).
  case seriesCSV = "series-csv"
  /// The song catalogue CSV (`Catalog(contentsOfCSV:)`).
  case catalogCSV = "catalog-csv"
  /// The model file: safetensors, the LSTM's tensors and the toolkit's metadata (`ModelFile`).
  case model

  /// The target `FuzzMain` chose; set once before libFuzzer starts.
  nonisolated(unsafe) static var selected = FuzzTarget.avroContainer

  /// The file each input is written to (these readers take paths).
  var inputPath: String {
    let ext: String
    switch self {
    case .avroContainer, .events: ext = "avro"
    case .avroSchema: ext = "avsc"
    case .seriesCSV, .catalogCSV: ext = "csv"
    case .model: ext = "safetensors"
    }
    let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : "/tmp"
    return "\(directory)/forecast-fuzz-\(getpid())-input.\(ext)"
  }

  /// Runs the target on one input.
  func run(_ bytes: UnsafeBufferPointer<UInt8>) {
    switch self {
    case .avroSchema:
      runSchema(bytes)
    default:
      let path = inputPath
      guard FileManager.default.createFile(atPath: path, contents: Data(buffer: bytes)) else {
        fatalError("forecast-fuzz: cannot write \(path)")
      }
      defer { unlink(path) }
      runFile(path)
    }
  }

  private func runFile(_ path: String) {
    switch self {
    case .avroContainer:
      report { _ = try AvroFileReader(path: path).readAll() }
    case .events:
      report { _ = try EventFileReader(path: path).readAll() }
      report { _ = try EventFileReader(path: path, options: .init(salvage: true)).readAll() }
    case .seriesCSV:
      report { _ = try SeriesCSV.read(path: path) }
    case .catalogCSV:
      report { _ = try Catalog(contentsOfCSV: path) }
    case .model:
      report { _ = try loadSafeTensors(path: path, as: Float.self) }
      report { _ = try LSTMForecaster<Float>.load(from: path) }
      report { _ = try ModelFile.load(path: path) }
    case .avroSchema:
      break
    }
  }

  private func runSchema(_ bytes: UnsafeBufferPointer<UInt8>) {
    let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
    let json = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<split]), as: UTF8.self)
    let value = split < bytes.endIndex ? Array(bytes[(split + 1)...]) : []
    report {
      let schema = try AvroSchema(json: json)
      _ = schema.description
      _ = try AvroValue.decode(value, writerSchema: schema)
    }
  }

  /// Runs `body`; an error is the expected outcome of most inputs, and its message is built
  /// (messages quote the input, so building them is part of what is fuzzed).
  private func report(_ body: () throws -> Void) {
    do {
      try body()
    } catch {
      _ = String(describing: error)
    }
  }
}
