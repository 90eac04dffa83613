import Logging

/// The server's log lines, written exactly as swift-log's `StreamLogHandler` writes them, with the metadata set
/// on a logger kept as given and formatted only when a line is written. The stream handler formats its
/// metadata each time a value is set, and the HTTP server sets a request id on every request's logger: under
/// small agent batches that was 1.2 % of the server's samples, for lines that are almost never written.
public struct ServerLogHandler: LogHandler {
    /// Writes the lines; given each line's whole metadata, it holds none of its own and no provider.
    private var lines: StreamLogHandler
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// Writes to `lines`' stream, with its level and metadata provider.
    public init(lines: StreamLogHandler) {
        self.lines = lines
        metadataProvider = lines.metadataProvider
        self.lines.metadataProvider = nil
    }

    public var logLevel: Logger.Level {
        get { lines.logLevel }
        set { lines.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The stream handler's order: the logger's metadata, the provider's over it, the line's over both.
    public func log(event: LogEvent) {
        var event = event
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, provided in provided } }
        if let explicit = event.metadata { merged.merge(explicit) { _, explicit in explicit } }
        event.metadata = merged
        lines.log(event: event)
    }
}
