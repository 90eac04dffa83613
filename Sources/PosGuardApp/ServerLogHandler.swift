import Logging

/// The server's log lines, written exactly as swift-log's `StreamLogHandler` writes them, with the metadata set
/// on a logger kept as given and formatted only when a line is written. The stream handler formats its
/// metadata each time a value is set, and the HTTP server sets a request id on every request's logger: under
/// small agent batches that was 1.2 % of the server's samples, for lines that are almost never written.
public struct ServerLogHandler: LogHandler {
    private var lines: StreamLogHandler
    public var metadata: Logger.Metadata = [:]

    /// Writes lines to `lines`, which is given no metadata of its own.
    public init(lines: StreamLogHandler) { self.lines = lines }

    public var logLevel: Logger.Level {
        get { lines.logLevel }
        set { lines.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { lines.metadataProvider }
        set { lines.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        lines.log(event: event)
    }
}
