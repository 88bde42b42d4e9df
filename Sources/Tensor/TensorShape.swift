/// The extents of a dense row-major tensor, outermost first: `[T, B, H]` has `H` contiguous.
///
/// Shape letters (docs/lstm.md): B batch, T lookback steps, I input features, H hidden size,
/// G = 4H, N stacked layers, K horizon steps, Q quantiles.
public struct TensorShape: Hashable, Sendable, ExpressibleByArrayLiteral,
  RandomAccessCollection, CustomStringConvertible
{
  /// The extent of each dimension, outermost first.
  public var dimensions: [Int]

  /// A shape with the given extents.
  /// - Precondition: every extent is ≥ 0.
  public init(_ dimensions: [Int]) {
    precondition(
      dimensions.allSatisfy { $0 >= 0 }, "TensorShape: extents must be ≥ 0, got \(dimensions)")
    self.dimensions = dimensions
  }

  public init(arrayLiteral elements: Int...) { self.init(elements) }

  /// The number of dimensions (0 for a scalar).
  public var rank: Int { dimensions.count }

  /// The number of elements: the product of the extents (1 for a scalar).
  public var count: Int { dimensions.reduce(1, *) }

  public var startIndex: Int { 0 }
  public var endIndex: Int { dimensions.count }
  public subscript(position: Int) -> Int { dimensions[position] }

  public var description: String { "[" + dimensions.map(String.init).joined(separator: ", ") + "]" }
}
