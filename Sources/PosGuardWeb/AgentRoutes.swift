import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
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

    struct Acknowledgement: Encodable, ResponseGenerator {
        var ackedSeq: Int64
        /// `[from, to]` pairs, lowest first.
        var missing: [[Int64]]
        var commands: [TerminalCommand]
        var refused: [Ingest.Refused]

        /// What `APIJSON` writes for it; written directly when the batch brought back nothing but its number
        /// (nearly every batch), without the encoder's work.
        func json() throws -> [UInt8] {
            guard missing.isEmpty, commands.isEmpty, refused.isEmpty else {
                return Array(try APIJSON.encoder.encode(self))
            }
            return Array(#"{"acked_seq":\#(ackedSeq),"commands":[],"missing":[],"refused":[]}"#.utf8)
        }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            .json(try json())
        }
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
            try await atHolder(request, context) { request, context, headers in
                var request = request
                let (verified, body) = try await signed(&request, headers)
                let batch: [JSONValue]
                do {
                    batch = try Ingest.read(body)
                } catch let error as JSONValue.SyntaxError {
                    throw Request.notJSON(error)
                }
                let outcome: Ingest.Outcome
                do {
                    outcome = try await app.ingest.ingest(batch, from: verified.terminal.id)
                } catch is SlotOwnership.Moved {
                    app.agents.forget(verified)
                    throw Self.elsewhere
                }
                return try Acknowledgement(
                    ackedSeq: outcome.ackedSeq, missing: outcome.missing.map { [$0.lowerBound, $0.upperBound] },
                    commands: outcome.commands, refused: outcome.refused
                ).response(from: request, context: context)
            }
        }
        agent.post("commands/{id}/ack") { request, context in
            try await atHolder(request, context) { request, context, headers in
                var request = request
                let (verified, body) = try await signed(&request, headers)
                let id = try context.parameters.id()
                let ack = try Request.decodeJSON(RemoteCommands.Acknowledgement.self, from: Data(body))
                return try JSONResponse(
                    try await app.commands.acknowledge(id, by: verified.terminal.id, ack, source: context.source)
                ).response(from: request, context: context)
            }
        }
    }

    /// Judges a terminal's request here when this instance holds its store's slot of detection's memory, or
    /// sends it on, as it came, to the instance that does (see `SlotOwnership`): every batch of a terminal is
    /// judged by one instance, whichever one the load balancer chose. A request naming no enrolled terminal
    /// is answered here (its signature check refuses it). A request sent on keeps the address it came from.
    private func atHolder(
        _ request: Request, _ context: AppRequestContext,
        _ judge: (Request, AppRequestContext, AgentHeaders) async throws -> Response
    ) async throws -> Response {
        let headers = AgentHeaders(request.headers)
        guard let store = try await app.agents.store(of: headers.terminal) else {
            return try await judge(request, context, headers)
        }
        switch app.ownership.route(store: store) {
        case .here(let slot):
            defer { app.ownership.done(slot) }
            var context = context
            if let source = app.ownership.forwardedSource(
                by: headers.forwardedBy, for: headers.forwardedFor, seal: headers.forwardedSeal,
                signature: headers.signature)
            {
                context.source = source
            }
            return try await judge(request, context, headers)
        case .elsewhere(let address) where headers.forwardedBy == nil:
            var request = request
            let body = try await request.bytes(limit: Self.batchLimit)
            let sent = [HTTPField.Name.posGuardTerminal, .posGuardTimestamp, .posGuardSignature, .contentType]
                .compactMap { name in request.headers[name].map { (name.rawName, $0) } }
            let answer: SlotOwnership.Answer
            do {
                answer = try await app.ownership.forward(
                    method: request.method.rawValue, path: request.uri.path, headers: sent, body: body,
                    from: context.source, to: address)
            } catch {
                throw Self.elsewhere
            }
            var fields: HTTPFields = [:]
            if let type = answer.contentType { fields[.contentType] = type }
            if let seconds = answer.retryAfter { fields[.retryAfter] = seconds }
            return Response(
                status: .init(code: answer.status), headers: fields,
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        case .elsewhere, .nobody:
            throw Self.elsewhere
        }
    }

    /// The terminal's slot is changing hands (or its holder cannot be reached): the agent sends again.
    static var elsewhere: Problem {
        var problem = Problem(
            .serviceUnavailable, "moving", "The terminal's detection is moving between instances",
            detail: "nothing was stored: send the same batch again in a second")
        problem.retryAfter = 1
        return problem
    }

    /// Reads the body and checks the request's signature over it: every agent call after enrollment.
    private func signed(_ request: inout Request, _ headers: AgentHeaders) async throws
        -> (AgentVerifier.Verified, [UInt8])
    {
        let body = try await request.bytes(limit: Self.batchLimit)
        let verified = try await app.agents.verify(
            terminal: headers.terminal, timestamp: headers.timestamp, signature: headers.signature,
            method: request.method.rawValue, path: request.uri.path, body: body)
        return (verified, body)
    }
}

extension HTTPField.Name {
    static let posGuardTerminal = Self("PosGuard-Terminal")!
    static let posGuardTimestamp = Self("PosGuard-Timestamp")!
    static let posGuardSignature = Self(SlotOwnership.signatureHeader)!
    static let posGuardForwardedBy = Self(SlotOwnership.forwardedHeader)!
    static let posGuardForwardedFor = Self(SlotOwnership.forwardedForHeader)!
    static let posGuardForwardedSeal = Self(SlotOwnership.forwardedSealHeader)!
}
