import XCTest

@testable import Wrapped

/// `personality_eval.json`'s figures on four compared listeners, computed by hand.
final class PersonalityEvaluationTests: XCTestCase {
  private func row(_ id: Int64, streams: Int64, inferred: String, recorded: String) -> ListenerRow {
    ListenerRow(
      userID: id, milliseconds: 60_000 * streams, streams: streams, distinctArtists: 1,
      distinctSongs: 1, topGenre: "", topArtists: [], topSongs: [], topArtistPercentile: nil,
      personality: inferred, recordedPersonality: recorded)
  }

  func testEvaluation_countsOnlyListenersWithBothCodes() throws {
    let rows = [
      row(4, streams: 90, inferred: "FVTU", recorded: "EVNU"),  // F/E and T/N wrong
      row(1, streams: 60, inferred: "FLTC", recorded: "FLTC"),
      row(5, streams: 40, inferred: "", recorded: "FLTC"),  // below 50 streams: none inferred
      row(3, streams: 80, inferred: "EVNU", recorded: "EVNU"),
      row(6, streams: 100, inferred: "FLTC", recorded: ""),  // none recorded
      row(2, streams: 70, inferred: "ELTC", recorded: "FLTC"),  // F/E wrong
      row(7, streams: 55, inferred: "FLTC", recorded: "XLTC"),  // not a code
      row(8, streams: 65, inferred: "FLTC", recorded: "FLTCU"),  // not a code
    ]
    let e = try XCTUnwrap(PersonalityEvaluation(rows))
    XCTAssertEqual(e.listeners, 4)
    XCTAssertEqual(e.exactAccuracy, 0.5)
    XCTAssertEqual(e.traits.map(\.name), ["F/E", "L/V", "T/N", "C/U"])
    XCTAssertEqual(e.traits.map(\.accuracy), [0.5, 1, 0.75, 1])
    // κ = (po − pe) ÷ (1 − pe); every trait's margins are 2 and 2 recorded, so pe is
    // (2 × inferred first + 2 × inferred second) ÷ 16: F/E 0.5 → 0, T/N (2·3 + 2·1)/16 → 0.5.
    XCTAssertEqual(e.traits.map(\.kappa), [0, 1, 0.5, 1])
    XCTAssertEqual(
      e.traits.map(\.confusion),
      [[[1, 1], [1, 1]], [[2, 0], [0, 2]], [[2, 0], [1, 1]], [[2, 0], [0, 2]]])
    XCTAssertEqual(
      e.codes,
      [
        "ELNC", "ELNU", "ELTC", "ELTU", "EVNC", "EVNU", "EVTC", "EVTU",
        "FLNC", "FLNU", "FLTC", "FLTU", "FVNC", "FVNU", "FVTC", "FVTU",
      ])
    var confusion = Array(repeating: Array(repeating: 0, count: 16), count: 16)
    confusion[10][10] = 1  // FLTC → FLTC
    confusion[10][2] = 1  // FLTC → ELTC
    confusion[5][5] = 1  // EVNU → EVNU
    confusion[5][15] = 1  // EVNU → FVTU
    XCTAssertEqual(e.confusion, confusion)
    // Four listeners by streams (60, 70, 80, 90) in ten deciles: decile d holds rows
    // ⌊4(d − 1)/10⌋ ..< ⌊4d/10⌋, so the 3rd, 5th, 8th and 10th hold one each.
    XCTAssertEqual(e.deciles.map(\.decile), [3, 5, 8, 10])
    XCTAssertEqual(e.deciles.map(\.listeners), [1, 1, 1, 1])
    XCTAssertEqual(e.deciles.map(\.minStreams), [60, 70, 80, 90])
    XCTAssertEqual(e.deciles.map(\.maxStreams), [60, 70, 80, 90])
    XCTAssertEqual(e.deciles.map(\.exact), [1, 0, 1, 0])
    XCTAssertEqual(
      e.deciles.map(\.traitAccuracy), [[1, 1, 1, 1], [0, 1, 1, 1], [1, 1, 1, 1], [0, 1, 0, 1]])
    XCTAssertTrue(e.json.hasPrefix("{\"listeners\":4,\"exact_accuracy\":0.5,"), e.json)
  }

  func testEvaluation_nilWithoutComparableListeners() {
    XCTAssertNil(PersonalityEvaluation([]))
    XCTAssertNil(
      PersonalityEvaluation([
        row(1, streams: 60, inferred: "FLTC", recorded: "flt c"),
        row(2, streams: 10, inferred: "", recorded: "FLTC"),
      ]))
  }
}
