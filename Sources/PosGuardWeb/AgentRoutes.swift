import Foundation
import HTTPTypes
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// The agent protocol, spoken by the software on a terminal: `/agent/v1/enroll` with a one-time code, then
/// signed event batches at `/agent/v1/events`.
struct AgentRoutes {
    let app: PosGuard

    /// The most a signed batch may hold (1000 events of about a kilobyte).
    static let batchLimit = 1 << 20

    struct Enrolled: Encodable {
        var terminalId: UUID
        var unlockSecret: String
    }

    struct Acknowledgement: Encodable {
        var ackedSeq: Int64
        /// `[from, to]` pairs, lowest first.
        var missing: [[Int64]]
        var commands: [TerminalCommand]
        var refused: [Ingest.Refused]
    }

    func add(to router: Router<AppRequestContext>) {
        let agent = router.group("agent/v1")
        agent.post("enroll") { request, context in
            var request = request
            let body = try await request.decodeJSON(AgentEnrollment.Request.self)
            let enrolled = try await app.enrollment.enroll(body, source: context.source)
            return JSONResponse(
                Enrolled(terminalId: enrolled.terminalID, unlockSecret: enrolled.unlockSecret), status: .created)
        }
        agent.post("events") { request, context in
            var request = request
            let (verified, body) = try await signed(&request)
            let batch: [JSONValue]
            do {
                batch = try Ingest.read(body)
            } catch let error as JSONValue.SyntaxError {
                throw Problem.badRequest("body", "is not valid JSON: \(error.message) at byte \(error.offset)")
            }
            let outcome = try await app.ingest.ingest(batch, from: verified.terminal.id)
            return JSONResponse(
                Acknowledgement(
                    ackedSeq: outcome.ackedSeq, missing: outcome.missing.map { [$0.lowerBound, $0.upperBound] },
                    commands: outcome.commands, refused: outcome.refused))
        }
        agent.post("commands/{id}/ack") { request, context in
            var request = request
            let (verified, body) = try await signed(&request)
            let id = try context.parameters.id()
            let ack = try Request.decodeJSON(RemoteCommands.Acknowledgement.self, from: Data(body))
            return JSONResponse(
                try await app.commands.acknowledge(id, by: verified.terminal.id, ack, source: context.source))
        }
    }

    /// Reads the body and checks the request's signature over it: every agent call after enrollment.
    private func signed(_ request: inout Request) async throws -> (AgentVerifier.Verified, [UInt8]) {
        let body = try await request.bytes(limit: Self.batchLimit)
        let verified = try await app.agents.verify(
            terminal: request.headers[.posGuardTerminal], timestamp: request.headers[.posGuardTimestamp],
            signature: request.headers[.posGuardSignature], method: request.method.rawValue, path: request.uri.path,
            body: body)
        return (verified, body)
    }
}

extension HTTPField.Name {
    static let posGuardTerminal = Self("PosGuard-Terminal")!
    static let posGuardTimestamp = Self("PosGuard-Timestamp")!
    static let posGuardSignature = Self("PosGuard-Signature")!
}
