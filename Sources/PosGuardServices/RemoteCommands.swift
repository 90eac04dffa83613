import Crypto
import Foundation
import PosGuardDomain
import PosGuardStorage

/// Remote commands: issued by people (lock, wipe and unlock by admins only with a fresh TOTP), delivered in
/// the answer to the terminal's next signed request and again every two minutes until acknowledged or
/// expired, and acknowledged by the terminal — after which the registry follows (a done lock locks it).
public struct RemoteCommands: Sendable {
    public struct Request: Sendable, Decodable {
        public var type: TerminalCommand.Kind
        public var message: String?
        public var contactPhone: String?
        public var contactEmail: String?
        public var reason: String?

        public init(
            type: TerminalCommand.Kind, message: String? = nil, contactPhone: String? = nil,
            contactEmail: String? = nil, reason: String? = nil
        ) {
            self.type = type
            self.message = message
            self.contactPhone = contactPhone
            self.contactEmail = contactEmail
            self.reason = reason
        }
    }

    public struct Acknowledgement: Sendable, Decodable {
        public typealias Outcome = TerminalCommand.Outcome
        public var status: Outcome
        public var detail: String?

        public init(status: Outcome, detail: String? = nil) {
            self.status = status
            self.detail = detail
        }
    }

    let runtime: Runtime
    let registry: TerminalRegistry
    let commands = CommandRepository()
    let terminals = TerminalRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    public func issue(_ request: Request, to id: UUID, by caller: Caller) async throws -> TerminalCommand {
        let payload = try TerminalCommand.payload(
            for: request.type, message: request.message, contactPhone: request.contactPhone,
            contactEmail: request.contactEmail)
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            guard let terminal = try await terminals.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("terminal")
            }
            try caller.authorize(.terminal(.send(request.type)), at: now)
            guard terminal.state != .retired else {
                throw ServiceError.conflict(field: nil, message: "the terminal is retired")
            }
            // An unlock queued for a terminal in service would wait, perhaps for days, and undo a later lock.
            guard request.type != .unlock || terminal.state == .locked else {
                throw ServiceError.conflict(
                    field: "type", message: "the terminal is \(terminal.state.rawValue), not locked: nothing to unlock")
            }
            return try await queue(
                request.type, payload: payload, to: terminal, by: caller,
                reason: request.reason?.trimmingCharacters(in: .whitespaces) ?? "", at: now, on: db)
        }
    }

    /// Queues a command the caller has been authorized to send, in the caller's transaction, with its audit
    /// record.
    func queue(
        _ type: TerminalCommand.Kind, payload: [String: String], to terminal: Terminal, by caller: Caller,
        reason: String, at now: Date, on db: UnitOfWork
    ) async throws -> TerminalCommand {
        let command = TerminalCommand(
            id: runtime.ids.next(), terminalID: terminal.id, type: type, payload: payload, status: .queued,
            createdAt: now, createdBy: caller.name, reason: reason)
        try await commands.insert(command, on: db)
        try await audit.record(
            caller, "command.issue", target: "command", id: command.id, provider: terminal.providerID, after: command,
            reason: reason, at: now, on: db)
        return command
    }

    public struct UnlockCodeIssued: Sendable {
        public var code: String
        public var validUntil: Date
    }

    /// The code that unlocks a locked, offline terminal showing `challenge`: for provider and merchant admins
    /// with a fresh TOTP, read out to the store over the phone.
    public func unlockCode(for id: UUID, challenge: String, by caller: Caller) async throws -> UnlockCodeIssued {
        guard UnlockCode.isValidChallenge(challenge) else {
            throw ValidationFailure([FieldError("challenge", "must be the 8 digits the terminal shows")])
        }
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            guard let terminal = try await terminals.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("terminal")
            }
            try caller.authorize(.terminal(.issueUnlockCode), at: now)
            guard terminal.state == .locked else {
                throw ServiceError.conflict(
                    field: nil, message: "the terminal is \(terminal.state.rawValue), not locked")
            }
            guard let secret = try await AgentRepository(secrets: runtime.secrets).unlockSecret(terminal: id, on: db)
            else {
                throw ServiceError.conflict(field: nil, message: "the terminal's agent is not enrolled")
            }
            let window = UnlockCode.window(at: Int64(now.timeIntervalSince1970))
            let mac = HMAC<SHA256>.authenticationCode(
                for: UnlockCode.message(terminal: id.uuidString, challenge: challenge, window: window),
                using: SymmetricKey(hex: secret))
            try await audit.record(
                caller, "terminal.unlock_code_issued", target: "terminal", id: id, provider: terminal.providerID,
                after: ["challenge": challenge], at: now, on: db)
            return UnlockCodeIssued(
                code: UnlockCode.digits(fromMAC: Array(mac)),
                validUntil: Date(timeIntervalSince1970: Double((window + 2) * UnlockCode.window)))
        }
    }

    public func list(of id: UUID, by caller: Caller) async throws -> [TerminalCommand] {
        try await runtime.database.withConnection { db in
            guard try await terminals.find(id, in: caller.scope, on: db) != nil else {
                throw ServiceError.notFound("terminal")
            }
            return try await commands.commands(of: id, in: caller.scope, on: db)
        }
    }

    /// The commands to send to a terminal now, marked delivered, in the caller's transaction; expired ones are
    /// closed on the way. Each step is audited.
    func deliver(to terminal: UUID, provider: UUID, at now: Date, on db: UnitOfWork) async throws
        -> [TerminalCommand]
    {
        try await deliver(try await commands.waiting(of: terminal, on: db), provider: provider, at: now, on: db)
    }

    /// As above, given the terminal's waiting commands (read for many terminals at once by a batch's group).
    func deliver(_ waiting: [TerminalCommand], provider: UUID, at now: Date, on db: UnitOfWork) async throws
        -> [TerminalCommand]
    {
        var due: [TerminalCommand] = []
        for var command in waiting {
            if now >= command.expiresAt {
                command.status = .expired
                try await commands.update(command, on: db)
            } else if command.isDue(at: now) {
                command.status = .delivered
                command.deliveredAt = now
                command.deliveries += 1
                try await commands.update(command, on: db)
                due.append(command)
            } else {
                continue
            }
            try await audit.record(
                .system("agent", provider: provider, at: now),
                "command.\(command.status == .expired ? "expire" : "deliver")",
                target: "command", id: command.id, provider: provider, after: command, at: now, on: db)
        }
        return due
    }

    /// The terminal's answer to a command. Repeating the same answer changes nothing; a different one is refused.
    public func acknowledge(_ id: UUID, by terminalID: UUID, _ ack: Acknowledgement, source: String?) async throws
        -> TerminalCommand
    {
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            guard let before = try await commands.command(id, of: terminalID, on: db) else {
                throw ServiceError.notFound("command")
            }
            let answered: TerminalCommand?
            do {
                answered = try before.acknowledged(ack.status, detail: ack.detail, at: now)
            } catch let contradiction as TerminalCommand.Contradiction {
                throw ServiceError.conflict(field: "status", message: contradiction.message)
            }
            guard let command = answered else { return before }
            guard let provider = try await terminals.providerID(of: terminalID, on: db),
                let terminal = try await terminals.find(terminalID, in: .provider(provider), on: db)
            else { throw ServiceError.notFound("terminal") }
            let agent = Caller.system("agent", provider: provider, at: now).from(source)
            try await commands.update(command, on: db)
            try await audit.record(
                agent, "command.\(command.status.rawValue)", target: "command", id: id, provider: provider,
                after: command, reason: command.detail, at: now, on: db)
            if let follow = command.followUp(from: terminal.state) {
                _ = try await registry.apply(
                    follow.state, to: terminal, by: agent, reason: follow.reason, at: now, on: db)
            }
            return command
        }
    }
}
