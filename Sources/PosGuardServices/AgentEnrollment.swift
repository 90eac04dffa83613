import Crypto
import Foundation
import PosGuardDomain
import PosGuardStorage

/// Enrolling a terminal's agent: an operator issues a one-time code for one registered terminal, and the
/// terminal presents it with its serial, TID and public key. A device whose serial or TID does not match the
/// registry — a swapped or cloned terminal — is refused, the code burnt, and the attempt audited.
public struct AgentEnrollment: Sendable {
    public struct Enrolled: Sendable {
        public var terminalID: UUID
        /// The secret the terminal checks offline unlock codes with (hex); handed over once, here.
        public var unlockSecret: String
    }

    public struct Issued: Sendable {
        public var code: String
        public var expiresAt: Date
    }

    public struct Request: Sendable, Decodable {
        public var code: String
        public var publicKey: String
        public var serial: String
        public var tid: String

        public init(code: String, publicKey: String, serial: String, tid: String) {
            self.code = code
            self.publicKey = publicKey
            self.serial = serial
            self.tid = tid
        }
    }

    public static let codeLifetime: TimeInterval = 24 * 3600
    /// Letters and digits that cannot be mistaken for one another when read out over the phone.
    static let alphabet = Array("ABCDEFGHJKMNPQRSTVWXYZ23456789")

    let runtime: Runtime
    let terminals = TerminalRepository()
    var agents: AgentRepository { AgentRepository(secrets: runtime.secrets) }
    var audit: AuditLog { AuditLog(runtime: runtime) }

    public init(runtime: Runtime) { self.runtime = runtime }

    /// A new code for the terminal; any earlier unused code of it stops working.
    public func issueCode(for id: UUID, by caller: Caller) async throws -> Issued {
        try caller.authorize(.issueEnrollmentCode, at: runtime.now())
        var random = SystemRandomNumberGenerator()
        let raw = String((0..<12).map { _ in Self.alphabet.randomElement(using: &random)! })
        let code = [raw.prefix(4), raw.dropFirst(4).prefix(4), raw.suffix(4)].joined(separator: "-")
        let now = runtime.now()
        let expires = now.addingTimeInterval(Self.codeLifetime)
        try await runtime.database.transaction { db in
            guard let terminal = try await terminals.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("terminal")
            }
            guard terminal.state.acceptsEnrollment else {
                throw ServiceError.conflict(
                    field: nil,
                    message:
                        "a \(terminal.state.rawValue) terminal cannot be enrolled: only one in inventory, active or maintenance"
                )
            }
            try await agents.revokeCodes(of: id, at: now, on: db)
            try await agents.insertCode(
                hash: Self.hash(code), terminal: id, createdAt: now, expiresAt: expires, createdBy: caller.name, on: db)
            try await audit.record(
                caller, "terminal.enrollment_code_issued", target: "terminal", id: id, provider: terminal.providerID,
                at: now,
                on: db)
        }
        return Issued(code: code, expiresAt: expires)
    }

    /// Enrolls the terminal the code was issued for; answers its id and its unlock secret.
    public func enroll(_ request: Request, source: String?) async throws -> Enrolled {
        guard let key = Data(base64Encoded: request.publicKey), key.count == 65,
            (try? P256.Signing.PublicKey(x963Representation: key)) != nil
        else {
            throw ValidationFailure([
                FieldError("public_key", "must be the base64 of a 65-byte uncompressed P-256 public key")
            ])
        }
        let now = runtime.now()
        let hash = Self.hash(request.code)
        let unknown = "enrollment code is unknown, used or expired"
        let unlockSecret = SymmetricKey(size: .bits256).hex
        let outcome: Result<UUID, ServiceError> = try await runtime.database.transaction { db in
            guard let code = try await agents.code(hash: hash, on: db), code.usedAt == nil, code.expiresAt > now,
                let provider = try await terminals.providerID(of: code.terminalID, on: db),
                let terminal = try await terminals.find(code.terminalID, in: .provider(provider), on: db),
                try await agents.useCode(hash: hash, at: now, on: db)
            else { return .failure(.forbidden(unknown)) }
            let device = Caller.system("agent", provider: terminal.providerID, at: now).from(source)
            guard terminal.state.acceptsEnrollment else {
                // Codes are revoked when a terminal leaves service; this guards codes from before that rule.
                try await audit.record(
                    device, "terminal.enrollment_refused", target: "terminal", id: terminal.id,
                    reason: "the terminal is \(terminal.state.rawValue)", at: now, on: db)
                return .failure(.forbidden(unknown))
            }
            guard terminal.serial == request.serial.trimmingCharacters(in: .whitespaces),
                terminal.tid == request.tid.trimmingCharacters(in: .whitespaces)
            else {
                // A different device presenting a genuine code: refuse, burn the code, keep the evidence.
                try await audit.record(
                    device, "terminal.enrollment_refused", target: "terminal", id: terminal.id,
                    after: ["presented_serial": request.serial, "presented_tid": request.tid],
                    reason: "serial or TID does not match the registry", at: now, on: db)
                return .failure(.forbidden("serial or TID does not match the terminal this code was issued for"))
            }
            try await agents.setKey(
                terminal: terminal.id, publicKey: request.publicKey, unlockSecret: unlockSecret, at: now, on: db)
            try await audit.record(device, "terminal.enrolled", target: "terminal", id: terminal.id, at: now, on: db)
            return .success(terminal.id)
        }
        return Enrolled(terminalID: try outcome.get(), unlockSecret: unlockSecret)
    }

    static func hash(_ code: String) -> String {
        let normal = code.uppercased().filter { $0.isLetter || $0.isNumber }
        return SHA256.hash(data: Data(normal.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension Caller {
    /// The same caller, seen coming from `source`.
    func from(_ source: String?) -> Caller {
        var copy = self
        copy.source = source
        return copy
    }
}
