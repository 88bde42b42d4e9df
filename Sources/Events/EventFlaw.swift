import Plumbing

/// A value the toolkit cannot use in one field of an event: a null where every event needs a
/// value (`user_id`, `listening_time.start_time`, `.end_time`, whose default 0 would be a
/// made-up user or time; a null elsewhere keeps the field's default, as a missing field does),
/// or a union branch of a type the field cannot hold (a string in `user_id`). Such an event is damage: refused by default, left out and counted with
/// `--out-of-range skip` (`EventReadOptions.damagedEvents`).
public struct EventFlaw: Sendable, Equatable {
  /// The toolkit's field (`listening_time.start_time`).
  public var field: String
  /// The file's field it is read from (the same name unless aliased or mapped).
  public var fileField: String
  /// The branch the record holds (`null`, `string`).
  public var found: String
  /// The union's branches, in the file's order.
  public var branches: [String]
  /// The toolkit field's type (`long`, `string`, `record`).
  public var needed: String

  /// A flaw in `field` (read from `fileField`): the union `branches` holds `found`.
  public init(field: String, fileField: String, found: String, branches: [String], needed: String) {
    self.field = field
    self.fileField = fileField
    self.found = found
    self.branches = branches
    self.needed = needed
  }

  /// `listening_time.start_time (the file's ts) is null`, `user_id holds a string (branch 1 of
  /// the file's union [long, string])`.
  public var problem: String {
    let name = fileField == field ? field : "\(field) (the file's \(Quoted.clipped(fileField)))"
    if found == "null" { return "\(name) is null" }
    let index = branches.firstIndex(of: found).map { "branch \($0) of " } ?? ""
    let union = branches.joined(separator: ", ")
    return "\(name) holds a \(found) (\(index)the file's union [\(union)])"
  }

  /// What the toolkit needs there and how to get it.
  var fix: String {
    if found == "null" {
      return "the toolkit needs it in every event (a null is a missing value, not listening)"
    }
    if field == "user_id" {
      return "the toolkit needs integer user ids (long): convert the ids to integers (e.g. "
        + "number the distinct ids), or map an integer field with --map user_id=FIELD"
    }
    return "the toolkit reads \(field) as \(needed): write \(needed) values there, or map "
      + "another field with --map \(field)=FIELD"
  }
}

/// The events left out of a file for `EventFlaw`s (`--out-of-range skip`): reported, never
/// hidden.
public struct DamagedEventsReport: Sendable, Equatable, CustomStringConvertible {
  /// Events left out.
  public var count: Int
  /// The first one's record number in the file, counted from 1.
  public var firstRecord: Int
  /// What is wrong with it.
  public var flaw: EventFlaw

  /// A report of `count` events left out, the first of them record `firstRecord` with `flaw`.
  public init(count: Int, firstRecord: Int, flaw: EventFlaw) {
    self.count = count
    self.firstRecord = firstRecord
    self.flaw = flaw
  }

  public var description: String {
    "left out \(count) event\(count == 1 ? "" : "s") with a value the toolkit cannot use (the "
      + "first is record \(firstRecord): \(flaw.problem))"
  }
}
