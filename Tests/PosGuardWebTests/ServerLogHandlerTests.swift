import Logging
import PosGuardApp
import Synchronization
import Testing

@Suite("Server log lines")
struct ServerLogHandlerTests {
    /// Lines written, kept for the test to read.
    final class Lines: TextOutputStream, Sendable {
        private let written = Mutex<[String]>([])
        var all: [String] { written.withLock { $0 } }
        func write(_ string: String) { written.withLock { $0.append(string) } }
    }

    struct Refused: Error {}

    /// Metadata every line is given, overriding the logger's and overridden by the line's.
    static let provider = Logger.MetadataProvider { ["instance": "a", "terminal": "from-provider"] }

    /// Logs what a request's logger sees: metadata set, replaced, removed, and given with a line; an error.
    static func logARequest(_ logger: Logger) {
        var logger = logger
        logger.info("started")
        logger[metadataKey: "hb.request.id"] = "7f3a"
        logger[metadataKey: "instance"] = "from-logger"
        logger[metadataKey: "terminal"] = "till-1"
        logger.warning("refused", metadata: ["terminal": "till-2", "reason": "replay"])
        logger[metadataKey: "terminal"] = nil
        logger.debug("not written at info")
        logger.error("failed", error: Refused())
    }

    /// A line without its leading timestamp (to the second, it may differ between two handlers).
    static func untimed(_ line: String) -> Substring { line.drop { $0 != " " } }

    @Test(arguments: [nil, provider])
    func writesTheLinesTheStreamHandlerWrites(provider: Logger.MetadataProvider?) {
        let (ours, theirs) = (Lines(), Lines())
        Self.logARequest(
            Logger(label: "posguard") {
                ServerLogHandler(lines: StreamLogHandler(label: $0, stream: ours, metadataProvider: provider))
            })
        Self.logARequest(
            Logger(label: "posguard") { StreamLogHandler(label: $0, stream: theirs, metadataProvider: provider) })
        #expect(ours.all.count == 3)
        #expect(ours.all.map(Self.untimed) == theirs.all.map(Self.untimed))
        #expect(ours.all[1].contains("reason=replay") && ours.all[1].contains("terminal=till-2"))
        #expect(ours.all[2].contains("hb.request.id=7f3a") && ours.all[2].contains("error.type="))
        #expect(ours.all[2].contains(provider == nil ? "instance=from-logger" : "instance=a"))
    }
}
