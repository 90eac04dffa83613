import Foundation
import PosGuardDomain
import PosGuardStorage

/// The terminal registry: registration (one by one or from a CSV file), edits, and lifecycle moves, each
/// kept in the terminal's history and the audit log.
public struct TerminalRegistry: Sendable {
    /// A terminal to register: its store and its details, side by side in one JSON object.
    public struct Registration: Sendable, Decodable {
        public var storeID: UUID
        public var details: TerminalDetails

        public init(storeID: UUID, details: TerminalDetails) {
            self.storeID = storeID
            self.details = details
        }

        enum CodingKeys: String, CodingKey { case storeID }

        public init(from decoder: any Decoder) throws {
            storeID = try decoder.container(keyedBy: CodingKeys.self).decode(UUID.self, forKey: .storeID)
            details = try TerminalDetails(from: decoder)
        }
    }

    public struct Patch: Sendable, Decodable {
        public var storeID: UUID?
        public var make: String?
        public var model: String?
        public var serial: String?
        public var tid: String?
        public var mid: String?
        public var firmwareVersion: String?
        public var appVersion: String?
        public var iccid: String?

        public init(
            storeID: UUID? = nil, make: String? = nil, model: String? = nil, serial: String? = nil, tid: String? = nil,
            mid: String? = nil, firmwareVersion: String? = nil, appVersion: String? = nil, iccid: String? = nil
        ) {
            self.storeID = storeID
            self.make = make
            self.model = model
            self.serial = serial
            self.tid = tid
            self.mid = mid
            self.firmwareVersion = firmwareVersion
            self.appVersion = appVersion
            self.iccid = iccid
        }
    }

    /// A lifecycle move. `recovered → active` also needs a passing inspection of the terminal made since it was
    /// recovered (`POST /api/v1/terminals/{id}/inspections`).
    public struct Move: Sendable, Decodable {
        public var to: TerminalState
        public var reason: String

        public init(to: TerminalState, reason: String) {
            self.to = to
            self.reason = reason
        }
    }

    let runtime: Runtime
    let terminals = TerminalRepository()
    let stores = StoreRepository()
    var agents: AgentRepository { AgentRepository(secrets: runtime.secrets) }
    let commands = CommandRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    public init(runtime: Runtime) { self.runtime = runtime }

    public func register(_ registration: Registration, by caller: Caller) async throws -> Terminal {
        let now = runtime.now()
        try caller.authorize(.registerTerminal, at: now)
        let details = try registration.details.validated()
        return try await runtime.database.transaction { db in
            guard let store = try await stores.find(registration.storeID, in: caller.scope, on: db) else {
                throw ValidationFailure([FieldError("store_id", "is not a store you manage")])
            }
            let terminal = Terminal(
                id: runtime.ids.next(), providerID: store.providerID, merchantID: store.merchantID, storeID: store.id,
                make: details.make, model: details.model, serial: details.serial, tid: details.tid, mid: details.mid,
                firmwareVersion: details.firmwareVersion, appVersion: details.appVersion, iccid: details.iccid,
                state: .inventory,
                createdAt: now, updatedAt: now)
            try await requireUnique(terminal, on: db)
            try await terminals.insert([terminal], on: db)
            try await terminals.insert([birth(of: terminal, by: caller, reason: "registered", at: now)], on: db)
            try await audit.record(
                caller, "terminal.create", target: "terminal", id: terminal.id, after: terminal, at: now, on: db)
            return terminal
        }
    }

    public func update(_ id: UUID, _ patch: Patch, by caller: Caller) async throws -> Terminal {
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            guard let before = try await terminals.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("terminal")
            }
            try caller.authorize(.editTerminal, at: now)
            let details = try TerminalDetails(
                make: patch.make ?? before.make, model: patch.model ?? before.model,
                serial: patch.serial ?? before.serial,
                tid: patch.tid ?? before.tid, mid: patch.mid ?? before.mid,
                firmwareVersion: patch.firmwareVersion ?? before.firmwareVersion,
                appVersion: patch.appVersion ?? before.appVersion, iccid: patch.iccid ?? before.iccid
            ).validated()
            var after = before
            if let storeID = patch.storeID, storeID != before.storeID {
                guard let store = try await stores.find(storeID, in: caller.scope, on: db) else {
                    throw ValidationFailure([FieldError("store_id", "is not a store you manage")])
                }
                after.storeID = store.id
                after.merchantID = store.merchantID
            }
            after.make = details.make
            after.model = details.model
            after.serial = details.serial
            after.tid = details.tid
            after.mid = details.mid
            after.firmwareVersion = details.firmwareVersion
            after.appVersion = details.appVersion
            after.iccid = details.iccid
            guard after != before else { return before }
            after.updatedAt = now
            try await requireUnique(after, excluding: id, on: db)
            try await terminals.updateDetails(after, on: db)
            try await audit.record(
                caller, "terminal.update", target: "terminal", id: id, before: before, after: after, at: now, on: db)
            return after
        }
    }

    /// Moves a terminal along its lifecycle, if the lifecycle, the caller's role and MFA allow it.
    public func move(_ id: UUID, _ move: Move, by caller: Caller) async throws -> Terminal {
        var v = Validator()
        let reason = v.text(move.reason, "reason", max: 1000, multiline: true) ?? ""
        try v.finish()
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            guard let before = try await terminals.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("terminal")
            }
            try caller.authorize(.terminal(.move(from: before.state, to: move.to)), at: now)
            switch TerminalLifecycle.check(from: before.state, to: move.to) {
            case .notAllowed:
                throw ServiceError.illegalTransition(
                    from: before.state, to: move.to, allowed: before.state.allowedNext,
                    message: "a terminal in \(before.state.rawValue) cannot move to \(move.to.rawValue)")
            case .needsInspection:
                let recoveredAt = try await terminals.history(of: id, in: caller.scope, on: db)
                    .last { $0.to == .recovered }?.at
                let inspection = try await InspectionRepository().latest(of: id, on: db)
                guard TerminalInspection.clears(inspection, recoveredAt: recoveredAt) else {
                    throw ServiceError.illegalTransition(
                        from: before.state, to: move.to, allowed: before.state.allowedNext,
                        message: "a recovered terminal returns to active only after a passing inspection made since "
                            + "its recovery: POST /api/v1/terminals/\(id.uuidString)/inspections")
                }
            case .allowed:
                break
            }
            guard let after = try await apply(move.to, to: before, by: caller, reason: reason, at: now, on: db) else {
                throw ServiceError.conflict(
                    field: "state", message: "the terminal changed state meanwhile: read it again and decide anew")
            }
            return after
        }
    }

    /// Records a lawful move in the caller's transaction: the new state, the history line, the audit record;
    /// leaving service revokes the terminal's outstanding enrollment codes. Callers have checked the
    /// lifecycle, the role and MFA. Nil, with nothing written, when the terminal is no longer in the state
    /// `before` shows (another unit moved it since it was read).
    func apply(
        _ state: TerminalState, to before: Terminal, by caller: Caller, reason: String, at now: Date,
        on db: UnitOfWork
    ) async throws -> Terminal? {
        var after = before
        after.state = state
        after.updatedAt = now
        guard try await terminals.move(before.id, from: before.state, to: state, at: now, on: db) else { return nil }
        if !state.acceptsEnrollment { try await agents.revokeCodes(of: before.id, at: now, on: db) }
        if TerminalAction.move(from: before.state, to: state).effect == .containment {
            try await withdrawUnlocks(of: before.id, by: caller, at: now, on: db)
        }
        try await terminals.insert(
            [
                TerminalTransition(
                    id: runtime.ids.next(), terminalID: before.id, from: before.state, to: state, at: now,
                    actorID: caller.userID, actor: caller.name, reason: reason)
            ], on: db)
        try await audit.record(
            caller, "terminal.transition", target: "terminal", id: before.id, provider: before.providerID,
            before: before,
            after: after, reason: reason, at: now, on: db)
        return after
    }

    /// An unlock still on its way to the terminal was decided before this containment: it must not undo it.
    private func withdrawUnlocks(of terminal: UUID, by caller: Caller, at now: Date, on db: UnitOfWork)
        async throws
    {
        for var command in try await commands.waiting(of: terminal, on: db) where command.type == .unlock {
            command.status = .expired
            command.detail = "withdrawn: the terminal was taken out of service again"
            try await commands.update(command, on: db)
            try await audit.record(
                caller, "command.withdraw", target: "command", id: command.id, after: command,
                reason: command.detail, at: now, on: db)
        }
    }

    public func find(_ id: UUID, by caller: Caller) async throws -> Terminal {
        let found = try await runtime.database.withConnection { try await terminals.find(id, in: caller.scope, on: $0) }
        guard let found else { throw ServiceError.notFound("terminal") }
        return found
    }

    public func list(
        _ filter: TerminalFilter, after cursor: Cursor?, limit: Int, by caller: Caller
    ) async throws -> Page<Terminal> {
        try await runtime.database.withConnection {
            try await terminals.list(in: caller.scope, filter: filter, after: cursor, limit: limit, on: $0)
        }
    }

    /// The provider a terminal belongs to, for the instance's operator tools (which act for that provider).
    public func provider(of id: UUID) async throws -> UUID? {
        try await runtime.database.withConnection { try await terminals.providerID(of: id, on: $0) }
    }

    /// How many terminals are in each state across the whole instance, for the metrics scraper (who is
    /// no tenant: its token is checked by the route).
    public func countByState() async throws -> [TerminalState: Int] {
        try await runtime.database.withConnection { try await terminals.countByState(on: $0) }
    }

    /// How many terminals of the caller's scope are in each state.
    public func countByState(by caller: Caller) async throws -> [TerminalState: Int] {
        try await runtime.database.withConnection { try await terminals.countByState(in: caller.scope, on: $0) }
    }

    public func history(_ id: UUID, by caller: Caller) async throws -> [TerminalTransition] {
        try await runtime.database.withConnection { db in
            guard try await terminals.find(id, in: caller.scope, on: db) != nil else {
                throw ServiceError.notFound("terminal")
            }
            return try await terminals.history(of: id, in: caller.scope, on: db)
        }
    }

    /// Registers every terminal of a CSV inventory file, or none: any bad row rejects the whole file with
    /// a report of every problem by line. Returns how many were registered.
    public func importCSV(_ text: String, by caller: Caller) async throws -> Int {
        let now = runtime.now()
        try caller.authorize(.importTerminals, at: now)
        let (rows, parseErrors) = TerminalImport.read(text)
        var errors = parseErrors
        let added = try await runtime.database.transaction { db in
            let storesByCode = Dictionary(
                try await stores.all(in: caller.scope, on: db).map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
            var seenSerials: [SerialKey: Int] = [:]
            var seenTIDs: [String: Int] = [:]
            var terminalsToAdd: [(row: TerminalImport.Row, terminal: Terminal)] = []
            for row in rows {
                guard let store = storesByCode[row.storeCode] else {
                    errors.append(
                        .init(
                            line: row.line, field: "store_code", message: "\(row.storeCode) is not a store you manage"))
                    continue
                }
                let key = SerialKey(make: row.details.make, serial: row.details.serial)
                if let first = seenSerials[key] {
                    errors.append(
                        .init(line: row.line, field: "serial", message: "repeats the serial of line \(first)"))
                }
                if let first = seenTIDs[row.details.tid] {
                    errors.append(.init(line: row.line, field: "tid", message: "repeats the TID of line \(first)"))
                }
                seenSerials[key] = seenSerials[key] ?? row.line
                seenTIDs[row.details.tid] = seenTIDs[row.details.tid] ?? row.line
                let d = row.details
                terminalsToAdd.append(
                    (
                        row,
                        Terminal(
                            id: runtime.ids.next(), providerID: store.providerID, merchantID: store.merchantID,
                            storeID: store.id,
                            make: d.make, model: d.model, serial: d.serial, tid: d.tid, mid: d.mid,
                            firmwareVersion: d.firmwareVersion,
                            appVersion: d.appVersion, iccid: d.iccid, state: row.state, createdAt: now, updatedAt: now)
                    ))
            }
            let takenSerials = try await terminals.registeredSerials(
                terminalsToAdd.map { ($0.terminal.make, $0.terminal.serial) }, provider: caller.scope.providerID,
                on: db)
            let takenTIDs = try await terminals.registeredTIDs(
                terminalsToAdd.map(\.terminal.tid), provider: caller.scope.providerID, on: db)
            for (row, terminal) in terminalsToAdd {
                if takenSerials.contains(SerialKey(make: terminal.make, serial: terminal.serial)) {
                    errors.append(
                        .init(
                            line: row.line, field: "serial",
                            message: "\(terminal.make) \(terminal.serial) is already registered"))
                }
                if takenTIDs.contains(terminal.tid) {
                    errors.append(.init(line: row.line, field: "tid", message: "TID \(terminal.tid) is already in use"))
                }
            }
            if !errors.isEmpty {
                throw ServiceError.importRejected(errors.sorted { ($0.line, $0.field) < ($1.line, $1.field) })
            }
            let added = terminalsToAdd.map(\.terminal)
            try await terminals.insert(added, on: db)
            try await terminals.insert(
                added.map { birth(of: $0, by: caller, reason: "imported from CSV", at: now) }, on: db)
            try await audit.record(
                added.map {
                    audit.entry(
                        caller, "terminal.create", target: "terminal", id: $0.id, after: $0, reason: "CSV import",
                        at: now)
                },
                on: db)
            return added
        }
        return added.count
    }

    /// The first line of a terminal's history: it entered the registry in its initial state.
    private func birth(of terminal: Terminal, by caller: Caller, reason: String, at now: Date) -> TerminalTransition {
        TerminalTransition(
            id: runtime.ids.next(), terminalID: terminal.id, from: nil, to: terminal.state, at: now,
            actorID: caller.userID, actor: caller.name, reason: reason)
    }

    /// Serials (per make) and TIDs are unique within the terminal's provider only, so a refusal never tells
    /// the caller what another tenant has registered.
    private func requireUnique(_ terminal: Terminal, excluding: UUID? = nil, on db: UnitOfWork) async throws {
        if try await !terminals.registeredSerials(
            [(terminal.make, terminal.serial)], provider: terminal.providerID, excluding: excluding, on: db
        ).isEmpty {
            throw ServiceError.conflict(
                field: "serial", message: "\(terminal.make) \(terminal.serial) is already registered")
        }
        if try await !terminals.registeredTIDs(
            [terminal.tid], provider: terminal.providerID, excluding: excluding, on: db
        )
        .isEmpty {
            throw ServiceError.conflict(
                field: "tid", message: "TID \(terminal.tid) is already in use by another terminal")
        }
    }
}
