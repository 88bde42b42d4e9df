/// The toolkit's version, written into every model file it saves.
enum ToolkitVersion {
  static let string = "0.1.0"
}
