import Foundation
import PosGuardDomain
import SQLKit

/// What the screening gateway reads at start (every terminal with its store and settings) and writes
/// (its declines).
public struct ScreeningRepository: Sendable {
    public init() {}

    /// Every terminal of the instance with what screening needs of its store and settings, or only those a
    /// change touched.
    public func profiles(touchedBy change: ChangeFeed.Change = .everything, on work: UnitOfWork) async throws
        -> [ScreeningProfile]
    {
        let filter: (column: String, id: UUID)? =
            switch change {
            case .terminal(let id): ("id", id)
            case .store(let id): ("store_id", id)
            case .merchant(let id): ("merchant_id", id)
            case .everything: nil
            }
        var query = work.sql.select().column("*").from("terminals")
        if let filter { query = query.where(filter.column, .equal, filter.id.key) }
        let terminals = try await query.all().map(TerminalRepository.terminal)
        // A full load reads whole tables; a reload after one change reads only the rows its terminals need.
        func rows(_ table: String, _ columns: [String], where column: String, in ids: Set<UUID>) async throws
            -> [any SQLRow]
        {
            guard filter != nil else { return try await work.sql.select().columns(columns).from(table).all() }
            let keys = ids.map(\.key)
            var found: [any SQLRow] = []
            for start in stride(from: 0, to: keys.count, by: TerminalRepository.batchSize) {
                let chunk = Array(keys[start..<min(start + TerminalRepository.batchSize, keys.count)])
                found += try await work.sql.select().columns(columns).from(table).where(
                    SQLColumn(column), .in, SQLBind.group(chunk)
                ).all()
            }
            return found
        }
        var stores: [UUID: Store] = [:]
        for row in try await rows("stores", ["*"], where: "id", in: Set(terminals.map(\.storeID))) {
            let store = try StoreRepository.store(row)
            stores[store.id] = store
        }
        var overrides: [UUID: DetectionOverrides] = [:]
        let owners = Set(terminals.flatMap { [$0.merchantID, $0.storeID, $0.id] })
        for row in try await rows("detection_overrides", ["owner_id", "overrides"], where: "owner_id", in: owners) {
            overrides[try row.uuid("owner_id")] = try DetectionRepository.decoder.decode(
                DetectionOverrides.self, from: Data(try row.text("overrides").utf8))
        }
        return terminals.compactMap { t in
            guard let store = stores[t.storeID] else { return nil }
            let settings = DetectionSettings.effective(
                merchant: overrides[t.merchantID], store: overrides[t.storeID], terminal: overrides[t.id])
            return ScreeningProfile(
                terminalID: t.id, providerID: t.providerID, merchantID: t.merchantID, storeID: t.storeID, tid: t.tid,
                mid: t.mid,
                state: t.state, geofence: store.geofence, hours: store.businessHours,
                timeZone: store.zone,
                declineOutsideHours: settings.declineOutsideHours)
        }
    }

    public func insert(_ declines: [ScreeningDecline], on work: UnitOfWork) async throws {
        for start in stride(from: 0, to: declines.count, by: TerminalRepository.batchSize) {
            var insert = work.sql.insert(into: "screening_declines").columns(
                "id", "provider_id", "terminal_id", "tid", "mid", "at", "amount_minor", "currency", "pan_masked",
                "response_code", "reasons", "channel", "suppressed")
            for d in declines[start..<min(start + TerminalRepository.batchSize, declines.count)] {
                insert = insert.values(
                    SQLBind(d.id.key), SQLBind(d.providerID?.key), SQLBind(d.terminalID?.key), SQLBind(d.tid),
                    SQLBind(d.mid),
                    SQLBind(d.at.millis), SQLBind(d.amountMinor), SQLBind(d.currency), SQLBind(d.panMasked),
                    SQLBind(d.responseCode), SQLBind(d.reasons.map(\.rawValue).joined(separator: ",")),
                    SQLBind(d.channel), SQLBind(d.suppressed))
            }
            try await insert.run()
        }
    }

    /// Sets how many declines each row counts beyond itself.
    public func setSuppressed(_ counts: [UUID: Int64], on work: UnitOfWork) async throws {
        for (id, count) in counts {
            try await work.sql.update("screening_declines").set("suppressed", to: SQLBind(count)).where(
                "id", .equal, id.key
            ).run()
        }
    }

    /// Deletes up to `limit` declines older than `cutoff`; answers how many went. Small batches keep each
    /// statement short, so screening's writes never wait long behind a large purge.
    public func deleteDeclines(before cutoff: Date, limit: Int, on work: UnitOfWork) async throws -> Int {
        let old = try await work.sql.select().column("id").from("screening_declines").where(
            "at", .lessThan, cutoff.millis
        )
        .limit(limit).all().map { try $0.text("id") }
        guard !old.isEmpty else { return 0 }
        try await work.sql.delete(from: "screening_declines").where(SQLColumn("id"), .in, SQLBind.group(old)).run()
        return old.count
    }

    /// A page of the declines inside the scope, oldest first: a provider's all, a narrower scope only those of
    /// a terminal of its own.
    public func declines(in scope: Scope, terminal: UUID?, after cursor: Cursor?, limit: Int, on work: UnitOfWork)
        async throws -> Page<ScreeningDecline>
    {
        if case .provider = scope {
        } else {
            guard let terminal, try await TerminalRepository().find(terminal, in: scope, on: work) != nil else {
                return Page(items: [], next: nil)
            }
        }
        var query = work.sql.select().column("*").from("screening_declines").where(
            "provider_id", .equal, scope.providerID.key)
        if let terminal { query = query.where("terminal_id", .equal, terminal.key) }
        let rows = try await query.page(after: cursor, limit: limit).all()
        return Page(fetched: try rows.map(Self.decline), limit: limit, id: \.id)
    }

    static func decline(_ row: any SQLRow) throws -> ScreeningDecline {
        ScreeningDecline(
            id: try row.uuid("id"), providerID: try row.optionalUUID("provider_id"),
            terminalID: try row.optionalUUID("terminal_id"),
            tid: try row.text("tid"), mid: try row.text("mid"), at: try row.date("at"),
            amountMinor: try row.int("amount_minor"),
            currency: try row.text("currency"), panMasked: try row.optionalText("pan_masked"),
            responseCode: try row.text("response_code"),
            reasons: try row.text("reasons").split(separator: ",").compactMap { DeclineReason(rawValue: String($0)) },
            channel: try row.text("channel"), suppressed: try row.int("suppressed"))
    }
}
