import Foundation
import PosGuardDomain
import SQLKit

extension Date {
    /// Milliseconds since 1970, the form every time takes in the database.
    public var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    public init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}

struct CorruptRow: Error, CustomStringConvertible {
    var column: String
    var description: String { "column \(column) holds a value PosGuard did not write" }
}

extension SQLRow {
    func text(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalText(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func int(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func double(_ column: String) throws -> Double { try decode(column: column, as: Double.self) }
    func date(_ column: String) throws -> Date { Date(millis: try int(column)) }
    func optionalDate(_ column: String) throws -> Date? {
        try decode(column: column, as: Int64?.self).map(Date.init(millis:))
    }

    func uuid(_ column: String) throws -> UUID {
        guard let id = UUID(text: try text(column)) else { throw CorruptRow(column: column) }
        return id
    }

    func optionalUUID(_ column: String) throws -> UUID? {
        guard let text = try optionalText(column) else { return nil }
        guard let id = UUID(text: text) else { throw CorruptRow(column: column) }
        return id
    }

    func enumeration<E: RawRepresentable>(_ column: String, as type: E.Type) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: try text(column)) else { throw CorruptRow(column: column) }
        return value
    }
}

/// Which columns of a table place its rows in the organisation tree.
struct ScopeColumns {
    var provider = "provider_id"
    var merchant: String? = "merchant_id"
    var store: String? = "store_id"

    static let merchants = ScopeColumns(merchant: "id", store: nil)
    static let stores = ScopeColumns(merchant: "merchant_id", store: "id")
    static let terminals = ScopeColumns()
    static let users = ScopeColumns()
    /// Rows that name only their provider (the audit log): a narrower scope sees none of them.
    static let providerWide = ScopeColumns(merchant: nil, store: nil)
    /// A webhook of a merchant is that merchant's; one without a merchant is its provider's.
    static let webhooks = ScopeColumns(merchant: "merchant_id", store: nil)
}

extension SQLPredicateBuilder {
    /// Keeps only rows inside `scope`: the single place where tenant isolation is written into a query.
    func scoped(_ scope: Scope, _ columns: ScopeColumns) -> Self {
        if case .nothing = scope { return nothing() }
        if scope.merchantID != nil, columns.merchant == nil { return nothing() }
        var builder = self.where(SQLColumn(columns.provider), .equal, SQLBind(scope.providerID.key))
        if let merchant = scope.merchantID, let column = columns.merchant {
            builder = builder.where(SQLColumn(column), .equal, SQLBind(merchant.key))
        }
        if let store = scope.storeID, let column = columns.store {
            builder = builder.where(SQLColumn(column), .equal, SQLBind(store.key))
        }
        return builder
    }

    /// Keeps no row at all.
    private func nothing() -> Self {
        self.where(
            SQLBinaryExpression(
                left: SQLLiteral.numeric("1"), op: SQLBinaryOperator.equal, right: SQLLiteral.numeric("0")))
    }

    /// Keeps only rows whose `column` names a row of `table` inside `scope`: tenant isolation for the rows
    /// that hang off a scoped one (a terminal's history, events and commands, a store's roster, a webhook's
    /// deliveries).
    func scoped(_ scope: Scope, through column: String, of table: String, _ columns: ScopeColumns) -> Self {
        self.where(
            SQLColumn(column), .in, SQLSubquery.select { $0.column("id").from(table).scoped(scope, columns) })
    }
}

extension SQLSelectBuilder {
    /// One page in id order after the cursor; fetches one extra row to know whether another page follows.
    func page(after cursor: Cursor?, limit: Int) -> Self {
        var builder = self
        if let cursor { builder = builder.where(SQLColumn("id"), .greaterThan, SQLBind(cursor.afterID.key)) }
        return builder.orderBy("id").limit(limit + 1)
    }
}

extension Page {
    /// Builds a page from up to `limit + 1` rows fetched in id order.
    init(fetched: [Item], limit: Int, id: (Item) -> UUID) {
        let items = Array(fetched.prefix(limit))
        self.init(items: items, next: fetched.count > limit ? items.last.map { Cursor(afterID: id($0)) } : nil)
    }
}
