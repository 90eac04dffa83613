import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A real HTTP server that records what it receives and answers with the statuses it is told to.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var body: String
        var signature: String?
        var id: String?
        var host: String?
    }

    let received = Mutex<[Received]>([])
    let statuses = Mutex<[HTTPResponse.Status]>([])
    /// Sent as `Location` with every answer when set (to answer with redirects).
    let location = Mutex<String?>(nil)

    func run(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            self.received.withLock {
                $0.append(
                    Received(
                        body: String(buffer: buffer),
                        signature: request.headers[HTTPField.Name("PosGuard-Webhook-Signature")!],
                        id: request.headers[HTTPField.Name("PosGuard-Webhook-Id")!], host: request.head.authority))
            }
            let status = self.statuses.withLock { $0.isEmpty ? .ok : $0.removeFirst() }
            var headers: HTTPFields = [:]
            if let location = self.location.withLock({ $0 }) { headers[.location] = location }
            return Response(status: status, headers: headers)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        try await body(await iterator.next() ?? 0)
    }
}
