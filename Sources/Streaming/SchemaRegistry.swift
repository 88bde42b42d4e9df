import Dispatch
import Events
import Foundation
import Plumbing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A Confluent Schema Registry client: the schema of an id (`GET /schemas/ids/ID`), and the id
/// of a schema registered under a subject (`POST /subjects/SUBJECT/versions`).
public final class SchemaRegistry: @unchecked Sendable {
  public let url: String
  private var cache: [UInt32: (schema: AvroSchema, text: String)] = [:]
  private let timeout: TimeInterval

  public init(url: String, timeoutSeconds: Double = 10) {
    self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
    timeout = timeoutSeconds
  }

  /// The writer's schema of `id`.
  ///
  /// - Throws: `StreamError.registry` ("no schema …" when the registry does not know the id).
  public func schema(id: UInt32) throws(StreamError) -> (schema: AvroSchema, text: String) {
    if let s = cache[id] { return s }
    let (status, body) = try request("GET", "/schemas/ids/\(id)", body: nil)
    if status == 404 { throw .registry(url: url, reason: "no schema with id \(id)") }
    guard status == 200 else {
      throw .registry(url: url, reason: "GET /schemas/ids/\(id) answered HTTP \(status)")
    }
    guard let json = try? JSONValue.parse(bytes: body), let text = json["schema"]?.stringValue
    else {
      throw .registry(url: url, reason: "GET /schemas/ids/\(id) did not answer {\"schema\": …}")
    }
    if let type = json["schemaType"]?.stringValue, type != "AVRO" {
      throw .registry(url: url, reason: "schema id \(id) is \(type), not Avro")
    }
    do {
      let schema = try AvroSchema(json: text)
      cache[id] = (schema, text)
      return (schema, text)
    } catch {
      throw .registry(url: url, reason: "schema id \(id) is not a valid Avro schema: \(error)")
    }
  }

  /// Registers `schemaJSON` under `subject` (or finds it registered) and returns its id.
  public func register(subject: String, schemaJSON: String) throws(StreamError) -> UInt32 {
    let payload = JSONValue.object([("schema", .string(schemaJSON))]).description
    let path = "/subjects/\(percentEncoded(subject))/versions"
    let (status, body) = try request("POST", path, body: Array(payload.utf8))
    guard status == 200 else {
      let message = (try? JSONValue.parse(bytes: body))?["message"]?.stringValue ?? ""
      throw .registry(
        url: url,
        reason: "POST \(path) answered HTTP \(status)\(message.isEmpty ? "" : ": \(message)")")
    }
    guard case .number(_, let id?)? = (try? JSONValue.parse(bytes: body))?["id"],
      let schemaID = UInt32(exactly: id)
    else {
      throw .registry(url: url, reason: "POST \(path) did not answer {\"id\": …}")
    }
    return schemaID
  }

  private func percentEncoded(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? s
  }

  private final class Box: @unchecked Sendable {
    var status = 0
    var body: [UInt8] = []
    var failure: String?
  }

  private func request(_ method: String, _ path: String, body: [UInt8]?) throws(StreamError) -> (
    Int, [UInt8]
  ) {
    guard let target = URL(string: url + path), target.scheme == "http" || target.scheme == "https"
    else {
      throw .registry(url: url, reason: "not an http:// or https:// URL")
    }
    var request = URLRequest(url: target, timeoutInterval: timeout)
    request.httpMethod = method
    request.setValue("application/vnd.schemaregistry.v1+json", forHTTPHeaderField: "Accept")
    if let body {
      request.httpBody = Data(body)
      request.setValue("application/vnd.schemaregistry.v1+json", forHTTPHeaderField: "Content-Type")
    }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    let task = URLSession.shared.dataTask(with: request) { data, response, error in
      if let error {
        box.failure = error.localizedDescription
      } else {
        box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
        box.body = data.map { [UInt8]($0) } ?? []
      }
      done.signal()
    }
    task.resume()
    done.wait()
    if let failure = box.failure { throw .registry(url: url, reason: failure) }
    return (box.status, box.body)
  }
}
