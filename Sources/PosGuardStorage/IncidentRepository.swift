import Foundation
import PosGuardDomain
import SQLKit

/// Incidents with their tasks, log, frozen events, access grants and the providers' response plans; read only
/// inside a scope, or by a police liaison officer for an incident granted to them.
public struct IncidentRepository: Sendable {
    public init() {}

    static let encoder = JSONEncoder()
    static let decoder = JSONDecoder()
    static let templateEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = JSONKeys.encoding
        e.outputFormatting = .sortedKeys
        return e
    }()
    static let templateDecoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = JSONKeys.decoding
        return d
    }()

    public func insert(_ i: Incident, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "incidents")
            .columns(
                "id", "provider_id", "merchant_id", "store_id", "type", "status", "terminal_ids", "alert_id",
                "discovered_at", "place", "reporter", "description", "opened_at", "opened_by"
            )
            .values(
                SQLBind(i.id.key), SQLBind(i.providerID.key), SQLBind(i.merchantID.key), SQLBind(i.storeID.key),
                SQLBind(i.type.rawValue), SQLBind(i.status.rawValue), SQLBind(Self.ids(i.terminalIDs)),
                SQLBind(i.alertID?.key), SQLBind(i.discoveredAt.millis), SQLBind(i.place), SQLBind(i.reporter),
                SQLBind(i.description), SQLBind(i.openedAt.millis), SQLBind(i.openedBy)
            ).run()
    }

    /// Saves what people may edit on an open incident, and its closing.
    public func update(_ i: Incident, on work: UnitOfWork) async throws {
        try await work.sql.update("incidents").set("place", to: i.place).set("description", to: i.description)
            .set("discovered_at", to: i.discoveredAt.millis)
            .set("police_report_number", to: i.policeReportNumber).set("police_station", to: i.policeStation)
            .set("status", to: i.status.rawValue).set("lessons_learned", to: i.lessonsLearned)
            .set("closed_at", to: i.closedAt?.millis).set("closed_by", to: i.closedBy)
            .set("look_back_hours", to: Int64(i.lookBackHours)).set("terminal_value_minor", to: i.terminalValueMinor)
            .set("terminal_value_currency", to: i.terminalValueCurrency)
            .where("id", .equal, i.id.key).run()
    }

    /// The incident with this id, if it is inside the scope.
    public func find(_ id: UUID, in scope: Scope, on work: UnitOfWork) async throws -> Incident? {
        try await work.sql.select().column("*").from("incidents").where("id", .equal, id.key)
            .scoped(scope, .terminals).first().map(Self.incident)
    }

    /// The incident with this id, if it has been granted to this (police liaison) user inside their provider.
    public func find(_ id: UUID, grantedTo user: UUID, in scope: Scope, on work: UnitOfWork) async throws -> Incident? {
        try await work.sql.select().column("*").from("incidents").where("id", .equal, id.key)
            .scoped(scope, .terminals)
            .where(
                SQLColumn("id"), .in,
                SQLSubquery.select {
                    $0.column("incident_id").from("incident_access").where("user_id", .equal, user.key)
                }
            ).first().map(Self.incident)
    }

    /// A page of the incidents in scope, newest last, optionally only open or closed ones, or only those
    /// granted to a user.
    public func list(
        in scope: Scope, status: IncidentStatus?, grantedTo user: UUID?, after cursor: Cursor?, limit: Int,
        on work: UnitOfWork
    ) async throws -> Page<Incident> {
        var query = work.sql.select().column("*").from("incidents").scoped(scope, .terminals)
        if let status { query = query.where("status", .equal, status.rawValue) }
        if let user {
            query = query.where(
                SQLColumn("id"), .in,
                SQLSubquery.select {
                    $0.column("incident_id").from("incident_access").where("user_id", .equal, user.key)
                })
        }
        let rows = try await query.page(after: cursor, limit: limit).all()
        return Page(fetched: try rows.map(Self.incident), limit: limit, id: \.id)
    }

    // MARK: Tasks

    public func insert(_ tasks: [IncidentTask], on work: UnitOfWork) async throws {
        guard !tasks.isEmpty else { return }
        var insert = work.sql.insert(into: "incident_tasks").columns(
            "id", "incident_id", "key", "title", "owner_role", "due_at", "state", "note", "done_by", "done_at")
        for t in tasks {
            insert = insert.values(
                SQLBind(t.id.key), SQLBind(t.incidentID.key), SQLBind(t.key), SQLBind(t.title),
                SQLBind(t.ownerRole.rawValue), SQLBind(t.dueAt.millis), SQLBind(t.state.rawValue), SQLBind(t.note),
                SQLBind(t.doneBy), SQLBind(t.doneAt?.millis))
        }
        try await insert.run()
    }

    /// Ends a task, only if it is still open; false when another request ended it first.
    public func end(_ t: IncidentTask, on work: UnitOfWork) async throws -> Bool {
        try await !work.sql.update("incident_tasks").set("state", to: t.state.rawValue).set("note", to: t.note)
            .set("done_by", to: t.doneBy).set("done_at", to: t.doneAt?.millis)
            .where("id", .equal, t.id.key).where("state", .equal, IncidentTask.State.open.rawValue)
            .returning("id").all().isEmpty
    }

    /// The tasks of an incident the caller has already found, in plan order.
    public func tasks(of incident: UUID, on work: UnitOfWork) async throws -> [IncidentTask] {
        try await work.sql.select().column("*").from("incident_tasks").where("incident_id", .equal, incident.key)
            .orderBy("id").all().map { row in
                var t = IncidentTask(
                    id: try row.uuid("id"), incidentID: try row.uuid("incident_id"), key: try row.text("key"),
                    title: try row.text("title"), ownerRole: try row.enumeration("owner_role", as: Role.self),
                    dueAt: try row.date("due_at"),
                    state: try row.enumeration("state", as: IncidentTask.State.self))
                t.note = try row.optionalText("note")
                t.doneBy = try row.optionalText("done_by")
                t.doneAt = try row.optionalDate("done_at")
                return t
            }
    }

    // MARK: Log, frozen events, access

    public func append(_ entry: IncidentLogEntry, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "incident_log").columns("id", "incident_id", "at", "actor", "kind", "text")
            .values(
                SQLBind(entry.id.key), SQLBind(entry.incidentID.key), SQLBind(entry.at.millis), SQLBind(entry.actor),
                SQLBind(entry.kind), SQLBind(entry.text)
            ).run()
    }

    public func log(of incident: UUID, on work: UnitOfWork) async throws -> [IncidentLogEntry] {
        try await work.sql.select().column("*").from("incident_log").where("incident_id", .equal, incident.key)
            .orderBy("id").all().map { row in
                IncidentLogEntry(
                    id: try row.uuid("id"), incidentID: try row.uuid("incident_id"), at: try row.date("at"),
                    actor: try row.text("actor"), kind: try row.text("kind"), text: try row.text("text"))
            }
    }

    /// Copies each terminal's last `count` events into the incident, so they stay with it whatever happens to
    /// the event log.
    public func freezeEvents(of terminals: [UUID], into incident: UUID, count: Int, on work: UnitOfWork) async throws {
        for terminal in terminals {
            let rows = try await work.sql.select().column("*").from("events")
                .where("terminal_id", .equal, terminal.key).orderBy("seq", .descending).limit(count).all()
            guard !rows.isEmpty else { continue }
            var insert = work.sql.insert(into: "incident_frozen_events").columns(
                "incident_id", "terminal_id", "seq", "type", "at", "received_at", "body")
            for row in rows {
                insert = insert.values(
                    SQLBind(incident.key), SQLBind(terminal.key), SQLBind(try row.int("seq")),
                    SQLBind(try row.text("type")), SQLBind(try row.int("at")), SQLBind(try row.int("received_at")),
                    SQLBind(try row.text("body")))
            }
            try await insert.run()
        }
    }

    /// The events frozen when the incident opened, oldest first per terminal.
    public func frozenEvents(of incident: UUID, on work: UnitOfWork) async throws -> [StoredEvent] {
        try await work.sql.select().column("*").from("incident_frozen_events")
            .where("incident_id", .equal, incident.key).orderBy("at").orderBy("seq").all().map { row in
                StoredEvent(
                    terminalID: try row.uuid("terminal_id"), seq: try row.int("seq"), type: try row.text("type"),
                    at: try row.date("at"), receivedAt: try row.date("received_at"), body: try row.text("body"))
            }
    }

    /// Grants a user read access to an incident (again: nothing changes); false when already granted.
    public func grant(_ incident: UUID, to user: UUID, by actor: String, at now: Date, on work: UnitOfWork)
        async throws -> Bool
    {
        try await !work.sql.insert(into: "incident_access").columns(
            "incident_id", "user_id", "granted_by", "granted_at"
        )
        .values(SQLBind(incident.key), SQLBind(user.key), SQLBind(actor), SQLBind(now.millis))
        .ignoringConflicts(with: ["incident_id", "user_id"]).returning("user_id").all().isEmpty
    }

    /// Takes a grant back; false when there was none.
    public func revoke(_ incident: UUID, from user: UUID, on work: UnitOfWork) async throws -> Bool {
        try await !work.sql.delete(from: "incident_access").where("incident_id", .equal, incident.key)
            .where("user_id", .equal, user.key).returning("user_id").all().isEmpty
    }

    /// The users an incident is granted to.
    public func grants(of incident: UUID, on work: UnitOfWork) async throws -> [UUID] {
        try await work.sql.select().column("user_id").from("incident_access").where("incident_id", .equal, incident.key)
            .orderBy("user_id").all().map { try $0.uuid("user_id") }
    }

    // MARK: Templates

    /// The provider's own plan for a type of incident, if it has one.
    public func template(_ type: IncidentType, provider: UUID, on work: UnitOfWork) async throws -> IncidentTemplate? {
        guard
            let row = try await work.sql.select().column("steps").from("incident_templates")
                .where("provider_id", .equal, provider.key).where("type", .equal, type.rawValue).first()
        else { return nil }
        return IncidentTemplate(
            steps: try Self.templateDecoder.decode(
                [IncidentTemplate.Step].self, from: Data(try row.text("steps").utf8)))
    }

    public func setTemplate(
        _ template: IncidentTemplate, for type: IncidentType, provider: UUID, at now: Date, on work: UnitOfWork
    ) async throws {
        let json = String(decoding: try Self.templateEncoder.encode(template.steps), as: UTF8.self)
        try await work.sql.insert(into: "incident_templates").columns("provider_id", "type", "steps", "updated_at")
            .values(SQLBind(provider.key), SQLBind(type.rawValue), SQLBind(json), SQLBind(now.millis))
            .onConflict(with: ["provider_id", "type"]) {
                $0.set(excludedValueOf: "steps").set(excludedValueOf: "updated_at")
            }
            .run()
    }

    static func ids(_ ids: [UUID]) -> String { ids.map(\.key).joined(separator: ",") }

    static func incident(_ row: any SQLRow) throws -> Incident {
        var i = Incident(
            id: try row.uuid("id"), providerID: try row.uuid("provider_id"), merchantID: try row.uuid("merchant_id"),
            storeID: try row.uuid("store_id"), type: try row.enumeration("type", as: IncidentType.self),
            terminalIDs: try row.text("terminal_ids").split(separator: ",").map {
                guard let id = UUID(uuidString: String($0)) else { throw CorruptRow(column: "terminal_ids") }
                return id
            },
            alertID: try row.optionalUUID("alert_id"), discoveredAt: try row.date("discovered_at"),
            place: try row.optionalText("place"), reporter: try row.text("reporter"),
            description: try row.text("description"), openedAt: try row.date("opened_at"),
            openedBy: try row.text("opened_by"))
        i.status = try row.enumeration("status", as: IncidentStatus.self)
        i.policeReportNumber = try row.optionalText("police_report_number")
        i.policeStation = try row.optionalText("police_station")
        i.lessonsLearned = try row.optionalText("lessons_learned")
        i.closedAt = try row.optionalDate("closed_at")
        i.closedBy = try row.optionalText("closed_by")
        i.lookBackHours = Int(try row.int("look_back_hours"))
        i.terminalValueMinor = try row.int("terminal_value_minor")
        i.terminalValueCurrency = try row.text("terminal_value_currency")
        return i
    }
}
