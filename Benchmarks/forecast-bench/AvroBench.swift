// forecast-bench avro: writes a 1,000,000-event Milestone-1 file per codec, checks that reading
// it back gives the written values, then times writing, reading into events and reading into
// columnar batches. One JSON object per line: codec, mode, records_per_s (+ records, seconds,
// bytes, load). Environment: AVRO_BENCH_EVENTS (default 1000000), AVRO_BENCH_DIR (default /tmp).
import Events

#if canImport(Glibc)
import Glibc
#endif

enum AvroBench {
  static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }

  /// The 1-minute load average (the machine is shared; figures come with it).
  static func load() -> String {
    guard let f = fopen("/proc/loadavg", "r") else { return "?" }
    defer { fclose(f) }
    var buffer = [CChar](repeating: 0, count: 64)
    guard fgets(&buffer, 64, f) != nil else { return "?" }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    let text = String(decoding: bytes, as: UTF8.self)
    return String(text.split(separator: " ").first ?? "?")
  }

  /// Seed-like events (about 130 bytes each in Milestone-1 encoding), from a SplitMix64 stream.
  struct EventSource {
    var state: UInt64
    let countries = ["US", "GB", "FR", "DE", "JP", "BR", "IN", "NG", "AU", "MX", "CA", "ES"]
    let cities = [
      "New York", "London", "Paris", "Berlin", "Tokyo", "Sao Paulo", "Mumbai", "Lagos", "Sydney",
      "Mexico City", "Toronto", "Madrid",
    ]
    let zones = [
      "America/New_York", "Europe/London", "Europe/Paris", "Europe/Berlin", "Asia/Tokyo",
      "America/Sao_Paulo", "Asia/Kolkata", "Africa/Lagos", "Australia/Sydney",
      "America/Mexico_City", "America/Toronto", "Europe/Madrid",
    ]
    let genres = ["pop", "rock", "hip-hop", "jazz", "classical", "electronic", "latin", "country"]
    let letters = [["F", "E"], ["L", "V"], ["T", "N"], ["C", "U"]]

    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }

    mutating func event(_ i: Int) -> ListeningEvent {
      let r = next()
      let place = Int(r % 12)
      let song = Int((r >> 8) % 5000)
      let start = 1_704_067_200_000 + Int64(i) * 2_500 + Int64((r >> 20) % 1000)
      var personality = ""
      for k in 0..<4 { personality += letters[k][Int((r >> (40 + UInt64(k))) & 1)] }
      return ListeningEvent(
        userID: Int64((r >> 24) % 100_000),
        location: Location(
          latitude: Float(place) * 7.5 - 40, longitude: Float(place) * 15 - 90,
          country: countries[place], city: cities[place], timezone: zones[place]),
        continent: .unknown, subscription: .unknown,
        interaction: Interaction.allCases[Int((r >> 44) % 5)],
        song: Song(
          name: "Song number \(song)", artist: "Artist \(song % 700)",
          genre: genres[song % genres.count], year: Int32(1960 + song % 64),
          popularity: Int32(song % 101), danceability: Float(song % 100) + 0.5,
          energy: Float(song % 97) + 0.25, lengthSeconds: Int32(120 + song % 300)),
        startTime: start, endTime: start + 30_000 + Int64((r >> 50) % 200_000),
        personality: personality)
    }
  }

  static func emit(
    codec: AvroCodec, mode: String, records: Int, seconds: Double, bytes: Int
  ) {
    let rate = Int((Double(records) / seconds).rounded())
    print(
      "{\"suite\":\"avro\",\"codec\":\"\(codec.rawValue)\",\"mode\":\"\(mode)\","
        + "\"records_per_s\":\(rate),\"records\":\(records),"
        + "\"seconds\":\(Int(seconds * 1000) / 1)e-3,\"file_bytes\":\(bytes),"
        + "\"load_1min\":\(load())}")
  }

  static func run() throws {
    let environment = { (name: String) -> String? in getenv(name).map { String(cString: $0) } }
    let count = environment("AVRO_BENCH_EVENTS").flatMap { Int($0) } ?? 1_000_000
    let directory = environment("AVRO_BENCH_DIR") ?? "/tmp"
    // Memory checks (run under /usr/bin/time -v): stream a large file out, or read one back.
    if let path = environment("AVRO_BENCH_MAKE") {
      var source = EventSource(state: 2024)
      let codec = environment("AVRO_BENCH_CODEC").flatMap { AvroCodec(rawValue: $0) } ?? .null
      let t0 = now()
      let writer = try EventFileWriter(path: path, schema: .milestone1, codec: codec)
      for i in 0..<count { try writer.write(source.event(i)) }
      try writer.finish()
      emit(codec: codec, mode: "write_stream", records: count, seconds: now() - t0, bytes: 0)
      return
    }
    if let path = environment("AVRO_BENCH_READ") {
      let t0 = now()
      var sum: Int64 = 0
      var m = 0
      let reader = try EventFileReader(path: path)
      try reader.forEachBatch { batch in
        for v in batch.startTime { sum &+= v }
        m += batch.count
      }
      emit(codec: reader.codec, mode: "read_columnar", records: m, seconds: now() - t0, bytes: 0)
      let t1 = now()
      var n = 0
      while let e = try reader.next() {
        sum &+= e.userID
        n += 1
      }
      precondition(n == m, "avro bench: events \(n) vs columnar \(m)")
      emit(codec: reader.codec, mode: "read_events", records: n, seconds: now() - t1, bytes: 0)
      return
    }
    var source = EventSource(state: 2024)
    let events = (0..<count).map { source.event($0) }
    var expectedUsers: Int64 = 0
    var expectedStart: Int64 = 0
    for e in events {
      expectedUsers &+= e.userID
      expectedStart &+= e.startTime
    }
    for codec in AvroCodec.allCases {
      let path = "\(directory)/forecast-bench-\(codec.rawValue).avro"
      // Write (best of 3).
      var best = Double.infinity
      for _ in 0..<3 {
        let t0 = now()
        let writer = try EventFileWriter(path: path, schema: .milestone1, codec: codec)
        for e in events { try writer.write(e) }
        try writer.finish()
        best = min(best, now() - t0)
      }
      var info = stat()
      stat(path, &info)
      let bytes = Int(info.st_size)

      // Check before timing: every event reads back, columns sum to the written values.
      let reader = try EventFileReader(path: path)
      var n = 0
      while let e = try reader.next() {
        precondition(e == events[n], "avro bench: event \(n) differs after a round trip")
        n += 1
      }
      precondition(n == count, "avro bench: read \(n) events, wrote \(count)")
      emit(codec: codec, mode: "write", records: count, seconds: best, bytes: bytes)

      best = .infinity
      for _ in 0..<3 {
        let t0 = now()
        let r = try EventFileReader(path: path)
        var sum: Int64 = 0
        var m = 0
        while let e = try r.next() {
          sum &+= e.userID
          m += 1
        }
        best = min(best, now() - t0)
        precondition(sum == expectedUsers && m == count, "avro bench: read_events mismatch")
      }
      emit(codec: codec, mode: "read_events", records: count, seconds: best, bytes: bytes)

      best = .infinity
      for _ in 0..<5 {
        let t0 = now()
        var sum: Int64 = 0
        var m = 0
        try EventFileReader(path: path).forEachBatch { batch in
          for v in batch.startTime { sum &+= v }
          m += batch.count
        }
        best = min(best, now() - t0)
        precondition(sum == expectedStart && m == count, "avro bench: read_columnar mismatch")
      }
      emit(codec: codec, mode: "read_columnar", records: count, seconds: best, bytes: bytes)
      unlink(path)
    }
  }
}
