import Foundation
import PosGuardDomain
import PosGuardStorage

/// Incidents, from the report to the closing: opening one contains its terminals at once (out of service,
/// declined by screening), creates the response plan and tells the provider and the store; people work its
/// tasks and notes; police liaison officers read the incidents granted to them, every read recorded.
public struct IncidentDesk: Sendable {
    /// What someone reports: by hand ("our terminal is gone"), from a terminal, or from an alert.
    public struct Draft: Sendable, Decodable {
        public var type: IncidentType
        public var description: String
        public var terminalIDs: [UUID]?
        public var discoveredAt: Date?
        public var place: String?
        public var reporter: String?

        public init(
            type: IncidentType, description: String, terminalIDs: [UUID]? = nil, discoveredAt: Date? = nil,
            place: String? = nil, reporter: String? = nil
        ) {
            self.type = type
            self.description = description
            self.terminalIDs = terminalIDs
            self.discoveredAt = discoveredAt
            self.place = place
            self.reporter = reporter
        }
    }

    public struct Patch: Sendable, Decodable {
        public var description: String?
        public var place: String?
        public var discoveredAt: Date?
        public var policeReportNumber: String?
        public var policeStation: String?
        /// Hours before discovery the theft may have happened (1 to 720): the impact counts payments from then.
        public var lookBackHours: Int?
        /// What the stolen terminals are worth, in minor units, counted in the estimated loss.
        public var terminalValueMinor: Int64?
        public var terminalValueCurrency: String?
    }

    /// How a task ends: done, or not applicable with a reason; the police report step records the report.
    public struct TaskEnd: Sendable, Decodable {
        public var state: IncidentTask.State
        public var note: String?
        public var policeReportNumber: String?
        public var policeStation: String?

        public init(
            state: IncidentTask.State, note: String? = nil, policeReportNumber: String? = nil,
            policeStation: String? = nil
        ) {
            self.state = state
            self.note = note
            self.policeReportNumber = policeReportNumber
            self.policeStation = policeStation
        }
    }

    /// An incident with its plan, as people read it.
    public struct Details: Sendable {
        public var incident: Incident
        public var tasks: [IncidentTask]
        /// Who it is granted to (police liaison officers); empty for them.
        public var grantedTo: [UUID]
    }

    /// How many of each terminal's last events are frozen into an incident when it opens.
    static let frozenEvents = 200

    let runtime: Runtime
    let registry: TerminalRegistry
    let commands: RemoteCommands
    let notifier: Notifier
    let incidents = IncidentRepository()
    let terminals = TerminalRepository()
    let alerts = AlertRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    init(runtime: Runtime, registry: TerminalRegistry, commands: RemoteCommands, email: Bool) {
        self.runtime = runtime
        self.registry = registry
        self.commands = commands
        notifier = Notifier(runtime: runtime, email: email)
    }

    // MARK: Opening

    /// Opens an incident about the caller's terminals (all of one store), in one unit: the terminals are
    /// contained (theft: `stolen`, never waiting for a second factor), `lock` and `wipe_keys` are queued when
    /// the caller may send them now (else the plan's first task is to), the plan is created, the terminals'
    /// last events are frozen, the provider's and merchant's webhooks and the store's people are told.
    public func open(_ draft: Draft, alert alertID: UUID? = nil, by caller: Caller) async throws -> Details {
        let now = runtime.now()
        try caller.authorize(.respondToIncidents, at: now)
        var v = Validator()
        let description = v.text(draft.description, "description", max: 4000, multiline: true) ?? ""
        let place = v.text(draft.place, "place", max: 500, required: false)
        let reporter = v.text(draft.reporter, "reporter", max: 200, required: false)
        let ids = draft.terminalIDs ?? []
        v.check(!ids.isEmpty && ids.count <= 100, "terminal_ids", "must name 1 to 100 terminals")
        v.check(Set(ids).count == ids.count, "terminal_ids", "names a terminal twice")
        v.check((draft.discoveredAt ?? now) <= now.addingTimeInterval(300), "discovered_at", "is in the future")
        try v.finish()
        return try await runtime.database.transaction { db in
            var found: [Terminal] = []
            for id in ids {
                guard let terminal = try await terminals.find(id, in: caller.scope, on: db) else {
                    throw ValidationFailure([FieldError("terminal_ids", "\(id.uuidString) is not a terminal you see")])
                }
                found.append(terminal)
            }
            guard Set(found.map(\.storeID)).count == 1, let first = found.first else {
                throw ValidationFailure([FieldError("terminal_ids", "must all be terminals of one store")])
            }
            let incident = Incident(
                id: runtime.ids.next(), providerID: first.providerID, merchantID: first.merchantID,
                storeID: first.storeID, type: draft.type, terminalIDs: ids, alertID: alertID,
                discoveredAt: draft.discoveredAt ?? now, place: place?.isEmpty == false ? place : nil,
                reporter: reporter?.isEmpty == false ? reporter! : caller.name, description: description,
                openedAt: now, openedBy: caller.name)
            try await incidents.insert(incident, on: db)
            let reason = "incident \(incident.id.uuidString) (\(draft.type.rawValue)): \(description)"
            var contained: [Terminal] = []
            for var terminal in found {
                // A theft of an active terminal passes through suspected_stolen, as the lifecycle has it.
                for step in TerminalLifecycle.route(from: terminal.state, to: draft.type.containment)
                where caller.can(.terminal(.move(from: terminal.state, to: step)), at: now) {
                    guard
                        let moved = try await registry.apply(
                            step, to: terminal, by: caller, reason: reason, at: now, on: db)
                    else { break }
                    terminal = moved
                }
                contained.append(terminal)
            }
            let queued = try await queueContainment(contained, reason: reason, by: caller, at: now, on: db)
            let template =
                try await incidents.template(draft.type, provider: incident.providerID, on: db)
                ?? IncidentTemplate.standard(for: draft.type)
            var tasks = template.tasks(for: incident.id, at: now, containmentPending: !queued) { runtime.ids.next() }
            // The provider is told now, by this very unit: its step is done.
            for i in tasks.indices where tasks[i].key == IncidentTemplate.notifyProvider {
                tasks[i] = try tasks[i].ended(
                    .done, note: "sent to the provider's and merchant's webhooks as incident.opened",
                    by: "PosGuard", at: now)
            }
            try await incidents.insert(tasks, on: db)
            try await incidents.freezeEvents(of: ids, into: incident.id, count: Self.frozenEvents, on: db)
            try await log(incident.id, "opened", "\(draft.type.rawValue): \(description)", by: caller, at: now, on: db)
            try await audit.record(
                caller, "incident.open", target: "incident", id: incident.id, provider: incident.providerID,
                after: incident, at: now, on: db)
            try await notifier.incidentOpened(incident, terminals: contained, at: now, on: db)
            return Details(incident: incident, tasks: tasks, grantedTo: [])
        }
    }

    /// Opens an incident from an alert: its terminal by default.
    public func open(fromAlert id: UUID, _ draft: Draft, by caller: Caller) async throws -> Details {
        let alert = try await runtime.database.withConnection { try await alerts.find(id, in: caller.scope, on: $0) }
        guard let alert else { throw ServiceError.notFound("alert") }
        var draft = draft
        if draft.terminalIDs == nil { draft.terminalIDs = [alert.terminalID] }
        return try await open(draft, alert: alert.id, by: caller)
    }

    /// Queues `lock` and `wipe_keys` for the terminals when the caller may send both now; false when they
    /// must be sent by someone who may (the plan's first task then).
    private func queueContainment(
        _ terminals: [Terminal], reason: String, by caller: Caller, at now: Date, on db: UnitOfWork
    ) async throws -> Bool {
        guard caller.can(.terminal(.send(.lock)), at: now), caller.can(.terminal(.send(.wipeKeys)), at: now) else {
            return false
        }
        for terminal in terminals where terminal.state != .retired {
            for kind in [TerminalCommand.Kind.lock, .wipeKeys] {
                let payload =
                    kind == .lock
                    ? ["message": "This payment terminal has been reported stolen. Please return it."] : [:]
                _ = try await commands.queue(
                    kind, payload: payload, to: terminal, by: caller, reason: reason, at: now, on: db)
            }
        }
        return true
    }

    // MARK: Reading

    /// An incident the caller may read: inside their scope, or granted to them (police liaison), each such read
    /// recorded on the incident and in the audit log.
    public func find(_ id: UUID, by caller: Caller) async throws -> Details {
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            let incident = try await readable(id, by: caller, at: now, on: db)
            let granted = caller.role == .policeLiaison ? [] : try await incidents.grants(of: id, on: db)
            return Details(incident: incident, tasks: try await incidents.tasks(of: id, on: db), grantedTo: granted)
        }
    }

    public func list(status: IncidentStatus?, after cursor: Cursor?, limit: Int, by caller: Caller) async throws
        -> Page<Incident>
    {
        if caller.role == .policeLiaison {
            return try await runtime.database.withConnection {
                // Their scope holds no organisation data; their grants name the incidents they read.
                try await incidents.list(
                    in: .provider(caller.scope.providerID), status: status, grantedTo: caller.userID ?? UUID(),
                    after: cursor, limit: limit, on: $0)
            }
        }
        guard caller.may(.respondToIncidents) else { return Page(items: [], next: nil) }
        return try await runtime.database.withConnection {
            try await incidents.list(
                in: caller.scope, status: status, grantedTo: nil, after: cursor, limit: limit, on: $0)
        }
    }

    /// Finds an incident for reading: in scope for those who respond to incidents; for a police liaison
    /// officer only when granted, and the read is recorded. Anything else is not found.
    func readable(_ id: UUID, by caller: Caller, at now: Date, on db: UnitOfWork) async throws -> Incident {
        if caller.role == .policeLiaison, let user = caller.userID,
            let incident = try await incidents.find(id, grantedTo: user, in: .provider(caller.scope.providerID), on: db)
        {
            try await log(id, "read", "read by \(caller.name) (police liaison)", by: caller, at: now, on: db)
            try await audit.record(
                caller, "incident.read", target: "incident", id: id, provider: incident.providerID, at: now, on: db)
            return incident
        }
        guard caller.may(.respondToIncidents), let incident = try await incidents.find(id, in: caller.scope, on: db)
        else { throw ServiceError.notFound("incident") }
        return incident
    }

    /// Finds an incident the caller may change: in scope, open, and the caller responds to incidents. A police
    /// liaison officer granted the incident is refused (403); anyone else out of scope finds nothing (404).
    func changeable(_ id: UUID, by caller: Caller, at now: Date, on db: UnitOfWork) async throws -> Incident {
        if caller.role == .policeLiaison, let user = caller.userID,
            try await incidents.find(id, grantedTo: user, in: .provider(caller.scope.providerID), on: db) != nil
        {
            throw ServiceError.forbidden("police liaison access to an incident is read-only")
        }
        guard let incident = try await incidents.find(id, in: caller.scope, on: db) else {
            throw ServiceError.notFound("incident")
        }
        try caller.authorize(.respondToIncidents, at: now)
        guard incident.status == .open else {
            throw ServiceError.conflict(field: nil, message: "the incident is closed")
        }
        return incident
    }

    /// Refuses a police liaison officer's change to an incident granted to them before anything else is read
    /// (403), as any change of theirs is.
    public func refuseReadOnly(_ id: UUID, by caller: Caller) async throws {
        guard caller.role == .policeLiaison else { return }
        let granted = try await runtime.database.withConnection { db in
            try await incidents.find(
                id, grantedTo: caller.userID ?? UUID(), in: .provider(caller.scope.providerID), on: db) != nil
        }
        if granted { throw ServiceError.forbidden("police liaison access to an incident is read-only") }
        throw ServiceError.notFound("incident")
    }

    // MARK: Working the incident

    public func update(_ id: UUID, _ patch: Patch, by caller: Caller) async throws -> Details {
        let now = runtime.now()
        var v = Validator()
        let description = v.text(patch.description, "description", max: 4000, required: false, multiline: true)
        let place = v.text(patch.place, "place", max: 500, required: false)
        let report = v.text(patch.policeReportNumber, "police_report_number", max: 100, required: false)
        let station = v.text(patch.policeStation, "police_station", max: 200, required: false)
        v.check((patch.discoveredAt ?? now) <= now.addingTimeInterval(300), "discovered_at", "is in the future")
        v.check((1...720).contains(patch.lookBackHours ?? 24), "look_back_hours", "must be 1 to 720")
        v.check(
            (0...1_000_000_000).contains(patch.terminalValueMinor ?? 0), "terminal_value_minor",
            "must be 0 to 1000000000")
        v.check(
            patch.terminalValueCurrency.map(ISOCode.isCurrency) ?? true, "terminal_value_currency",
            "must be an ISO 4217 code such as EUR")
        try v.finish()
        return try await runtime.database.transaction { db in
            let before = try await changeable(id, by: caller, at: now, on: db)
            var after = before
            if let description, !description.isEmpty { after.description = description }
            if let place { after.place = place.isEmpty ? nil : place }
            if let discovered = patch.discoveredAt { after.discoveredAt = discovered }
            if let report { after.policeReportNumber = report.isEmpty ? nil : report }
            if let station { after.policeStation = station.isEmpty ? nil : station }
            if let hours = patch.lookBackHours { after.lookBackHours = hours }
            if let value = patch.terminalValueMinor { after.terminalValueMinor = value }
            if let currency = patch.terminalValueCurrency { after.terminalValueCurrency = currency }
            if after != before {
                try await incidents.update(after, on: db)
                try await log(id, "edited", "details edited", by: caller, at: now, on: db)
                try await audit.record(
                    caller, "incident.update", target: "incident", id: id, provider: before.providerID,
                    before: before, after: after, at: now, on: db)
            }
            return Details(
                incident: after, tasks: try await incidents.tasks(of: id, on: db),
                grantedTo: try await incidents.grants(of: id, on: db))
        }
    }

    /// Ends one task: done (the police report step needs the report number and station), or not applicable
    /// with a reason.
    public func endTask(_ taskID: UUID, of id: UUID, _ end: TaskEnd, by caller: Caller) async throws -> IncidentTask {
        let now = runtime.now()
        var v = Validator()
        let note = v.text(end.note, "note", max: 2000, required: false, multiline: true)
        let report = v.text(end.policeReportNumber, "police_report_number", max: 100, required: false)
        let station = v.text(end.policeStation, "police_station", max: 200, required: false)
        try v.finish()
        return try await runtime.database.transaction { db in
            let before = try await changeable(id, by: caller, at: now, on: db)
            guard let task = try await incidents.tasks(of: id, on: db).first(where: { $0.id == taskID }) else {
                throw ServiceError.notFound("task")
            }
            var incident = before
            if task.key == IncidentTemplate.reportPolice, end.state == .done {
                incident.policeReportNumber = report.flatMap { $0.isEmpty ? nil : $0 } ?? incident.policeReportNumber
                incident.policeStation = station.flatMap { $0.isEmpty ? nil : $0 } ?? incident.policeStation
                var missing = Validator()
                missing.check(incident.policeReportNumber != nil, "police_report_number", "is required to report")
                missing.check(incident.policeStation != nil, "police_station", "is required to report")
                try missing.finish()
            }
            let ended: IncidentTask
            do {
                ended = try task.ended(end.state, note: note, by: caller.name, at: now)
            } catch let refusal as IncidentTask.Refusal {
                throw ServiceError.conflict(field: refusal.field, message: refusal.message)
            }
            guard try await incidents.end(ended, on: db) else {
                throw ServiceError.conflict(field: "state", message: "the task was ended meanwhile")
            }
            if incident != before { try await incidents.update(incident, on: db) }
            try await log(
                id, "task", "\(task.title): \(ended.state.rawValue)" + (note.map { " — \($0)" } ?? ""), by: caller,
                at: now, on: db)
            try await audit.record(
                caller, "incident.task", target: "incident", id: id, provider: before.providerID, before: task,
                after: ended, at: now, on: db)
            return ended
        }
    }

    /// Adds a note to the timeline.
    public func note(_ text: String, on id: UUID, by caller: Caller) async throws -> IncidentLogEntry {
        let now = runtime.now()
        var v = Validator()
        let text = v.text(text, "text", max: 4000, multiline: true) ?? ""
        try v.finish()
        return try await runtime.database.transaction { db in
            let incident = try await changeable(id, by: caller, at: now, on: db)
            let entry = try await log(id, "note", text, by: caller, at: now, on: db)
            try await audit.record(
                caller, "incident.note", target: "incident", id: id, provider: incident.providerID, after: entry,
                at: now, on: db)
            return entry
        }
    }

    /// Grants a police liaison officer of the same provider read access to the incident.
    public func grant(_ id: UUID, to user: UUID, by caller: Caller) async throws {
        try await access(id, user: user, by: caller) { incident, officer, now, db in
            if try await incidents.grant(id, to: officer.id, by: caller.name, at: now, on: db) {
                try await log(id, "access", "read access granted to \(officer.name)", by: caller, at: now, on: db)
                try await audit.record(
                    caller, "incident.grant", target: "incident", id: id, provider: incident.providerID,
                    after: ["user_id": officer.id.uuidString], at: now, on: db)
            }
        }
    }

    /// Takes a police liaison officer's access back.
    public func revoke(_ id: UUID, from user: UUID, by caller: Caller) async throws {
        try await access(id, user: user, by: caller) { incident, officer, now, db in
            guard try await incidents.revoke(id, from: officer.id, on: db) else { throw ServiceError.notFound("grant") }
            try await log(id, "access", "read access revoked from \(officer.name)", by: caller, at: now, on: db)
            try await audit.record(
                caller, "incident.revoke", target: "incident", id: id, provider: incident.providerID,
                before: ["user_id": officer.id.uuidString], at: now, on: db)
        }
    }

    private func access(
        _ id: UUID, user: UUID, by caller: Caller,
        _ body: (Incident, User, Date, UnitOfWork) async throws -> Void
    ) async throws {
        let now = runtime.now()
        try await runtime.database.transaction { db in
            if caller.role == .policeLiaison { throw ServiceError.forbidden("police liaison officers grant nothing") }
            guard let incident = try await incidents.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("incident")
            }
            try caller.authorize(.grantIncidentAccess, at: now)
            let users = UserRepository(secrets: runtime.secrets)
            guard let officer = try await users.find(user, in: .provider(incident.providerID), on: db),
                officer.role == .policeLiaison, !officer.disabled
            else {
                throw ValidationFailure([FieldError("user_id", "must name a police liaison officer of the provider")])
            }
            try await body(incident, officer, now, db)
        }
    }

    /// Closes an incident whose every task is done or not applicable, with the lessons learned.
    public func close(_ id: UUID, lessons: String, by caller: Caller) async throws -> Incident {
        let now = runtime.now()
        var v = Validator()
        let lessons = v.text(lessons, "lessons_learned", max: 8000, multiline: true) ?? ""
        try v.finish()
        return try await runtime.database.transaction { db in
            let before = try await changeable(id, by: caller, at: now, on: db)
            let closed: Incident
            do {
                closed = try before.closed(
                    tasks: try await incidents.tasks(of: id, on: db), lessons: lessons, by: caller.name, at: now)
            } catch let error as Incident.StillOpen {
                throw ServiceError.conflict(field: nil, message: error.description)
            }
            try await incidents.update(closed, on: db)
            try await log(id, "closed", lessons, by: caller, at: now, on: db)
            try await audit.record(
                caller, "incident.close", target: "incident", id: id, provider: before.providerID, before: before,
                after: closed, at: now, on: db)
            return closed
        }
    }

    // MARK: Templates

    /// The response plan the provider starts incidents of this type with.
    public func template(_ type: IncidentType, by caller: Caller) async throws -> IncidentTemplate {
        try caller.authorize(.respondToIncidents, at: runtime.now())
        return try await runtime.database.withConnection {
            try await incidents.template(type, provider: caller.scope.providerID, on: $0)
        } ?? IncidentTemplate.standard(for: type)
    }

    public func setTemplate(_ template: IncidentTemplate, for type: IncidentType, by caller: Caller) async throws
        -> IncidentTemplate
    {
        let now = runtime.now()
        try caller.authorize(.editIncidentTemplates, at: now)
        try template.validate()
        try await runtime.database.transaction { db in
            let before = try await incidents.template(type, provider: caller.scope.providerID, on: db)
            try await incidents.setTemplate(template, for: type, provider: caller.scope.providerID, at: now, on: db)
            try await audit.record(
                caller, "incident.template", target: "incident_template", id: nil, before: before?.steps,
                after: template.steps, reason: type.rawValue, at: now, on: db)
        }
        return template
    }

    @discardableResult
    func log(_ incident: UUID, _ kind: String, _ text: String, by caller: Caller, at now: Date, on db: UnitOfWork)
        async throws -> IncidentLogEntry
    {
        let entry = IncidentLogEntry(
            id: runtime.ids.next(), incidentID: incident, at: now, actor: caller.name, kind: kind, text: text)
        try await incidents.append(entry, on: db)
        return entry
    }
}

extension IncidentDesk {
    /// Everything on the incident in time order: the terminals' frozen events and their lifecycle moves, the
    /// alerts, commands and declines about them since a day before discovery, and the incident's own log.
    public func timeline(_ id: UUID, by caller: Caller) async throws -> [TimelineEntry] {
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            let incident = try await readable(id, by: caller, at: now, on: db)
            let since = incident.discoveredAt.addingTimeInterval(-86_400)
            let scope = Scope.provider(incident.providerID)
            var sources: [[TimelineEntry]] = []
            sources.append(
                try await incidents.frozenEvents(of: id, on: db).map {
                    TimelineEntry(
                        kind: "event", at: $0.at, actor: "terminal", text: "\($0.type) #\($0.seq)",
                        terminalID: $0.terminalID)
                })
            for terminal in incident.terminalIDs {
                sources.append(
                    try await terminals.history(of: terminal, in: scope, on: db).filter { $0.at >= since }.map {
                        TimelineEntry(
                            kind: "transition", at: $0.at, actor: $0.actor,
                            text: "\($0.from?.rawValue ?? "registered") → \($0.to.rawValue): \($0.reason)",
                            terminalID: $0.terminalID)
                    })
                sources.append(
                    try await alerts.list(
                        in: scope, filter: AlertFilter(terminalID: terminal), after: nil, limit: 500, on: db
                    ).items.filter { $0.lastAt >= since }.map {
                        TimelineEntry(
                            kind: "alert", at: $0.firstAt, actor: "detection",
                            text: "\($0.severity.rawValue) \($0.rule.rawValue): \($0.message)",
                            terminalID: $0.terminalID)
                    })
                sources.append(
                    try await CommandRepository().commands(of: terminal, in: scope, on: db).filter {
                        $0.createdAt >= since
                    }.map {
                        TimelineEntry(
                            kind: "command", at: $0.createdAt, actor: $0.createdBy,
                            text: "\($0.type.rawValue) (\($0.status.rawValue))", terminalID: $0.terminalID)
                    })
                sources.append(
                    try await ScreeningRepository().declines(
                        in: scope, terminal: terminal, after: nil, limit: 500, on: db
                    ).items.filter { $0.at >= since }.map {
                        TimelineEntry(
                            kind: "decline", at: $0.at, actor: $0.channel,
                            text: "\($0.amountMinor) \($0.currency) \($0.panMasked ?? "") declined "
                                + "\($0.responseCode) (\($0.reasons.map(\.rawValue).joined(separator: ", ")))",
                            terminalID: $0.terminalID)
                    })
            }
            sources.append(
                try await incidents.log(of: id, on: db).map {
                    TimelineEntry(kind: $0.kind, at: $0.at, actor: $0.actor, text: $0.text)
                })
            return TimelineEntry.merged(sources)
        }
    }
}
