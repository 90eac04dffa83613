import PostgresKit
import SQLiteKit
import Synchronization

/// The driver's own connection under a unit of work, for reads of many rows: SQLKit decodes every value of every row
/// through a `Decoder` (and, on SQLite, hands each row to the event loop), which costs far more than the read itself
/// when a check walks a million rows.
enum DriverConnection: Sendable {
    case sqlite(SQLiteConnection)
    case postgres(PostgresConnection)
}

/// A value as the database holds it, read without interpretation: a check must still read a row whose values were
/// altered to another type, and name it.
enum RawValue: Sendable, Decodable {
    case null
    case integer(Int64)
    case text(String)

    var text: String? {
        switch self {
        case .null: nil
        case .integer(let value): String(value)
        case .text(let value): value
        }
    }

    var integer: Int64? {
        switch self {
        case .null: nil
        case .integer(let value): value
        case .text(let value): Int64(value)
        }
    }

    /// From SQLKit's decoders, for the few reads that go through SQLKit.
    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let integer = try? value.decode(Int64.self) {
            self = .integer(integer)
        } else {
            self = .text((try? value.decode(String.self)) ?? "")
        }
    }
}

extension UnitOfWork {
    /// Runs `query` (parameters written `?`, all integers) and makes a value of each row from its `columns`, straight
    /// from the driver. On SQLite `make` runs on the database's thread as rows are stepped.
    func rawRows<T: Sendable>(
        _ query: String, binds: [Int64], columns: [String], _ make: @escaping @Sendable ([RawValue]) -> T
    ) async throws -> [T] {
        switch driver {
        case .sqlite(let connection):
            let rows = Mutex<[T]>([])
            try await connection.query(query, binds.map { SQLiteData.integer(Int($0)) }) { row in
                // In the order selected, as `columns` names them.
                let value = make(row.columns.map { Self.raw($0.data) })
                rows.withLock { $0.append(value) }
            }
            return rows.withLock { $0 }
        case .postgres(let connection):
            var bindings = PostgresBindings(capacity: binds.count)
            for bind in binds { bindings.append(bind) }
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: Self.numbered(query), binds: bindings), logger: connection.logger)
            var made = [T]()
            for try await row in rows {
                made.append(make(row.map(Self.raw)))
            }
            return made
        }
    }

    /// Runs a statement that answers no rows (parameters written `?`) straight on the driver: SQLKit builds a
    /// many-row statement value by value, which for a group of batches' events cost more than SQLite's own work.
    func rawRun(_ query: String, binds: [RawValue]) async throws {
        switch driver {
        case .sqlite(let connection):
            let data = binds.map { bind -> SQLiteData in
                switch bind {
                case .null: .null
                case .integer(let value): .integer(Int(value))
                case .text(let value): .text(value)
                }
            }
            try await connection.query(query, data) { _ in }
        case .postgres(let connection):
            var bindings = PostgresBindings(capacity: binds.count)
            for bind in binds {
                switch bind {
                case .null: bindings.appendNull()
                case .integer(let value): bindings.append(value)
                case .text(let value): bindings.append(value)
                }
            }
            _ = try await connection.query(
                PostgresQuery(unsafeSQL: Self.numbered(query), binds: bindings), logger: connection.logger)
        }
    }

    private static func raw(_ data: SQLiteData?) -> RawValue {
        switch data {
        case .integer(let value): .integer(Int64(value))
        case .text(let value): .text(value)
        case .float(let value): .text(String(value))
        case .blob(let buffer): .text(String(buffer: buffer))
        case .null, nil: .null
        }
    }

    private static func raw(_ cell: PostgresCell) -> RawValue {
        guard cell.bytes != nil else { return .null }
        if [.int2, .int4, .int8].contains(cell.dataType), let value = try? cell.decode(Int64.self) {
            return .integer(value)
        }
        return .text((try? cell.decode(String.self)) ?? "")
    }

    /// PostgreSQL numbers its parameters: `?` becomes `$1`, `$2`, … (the queries given here hold no `?` in text).
    private static func numbered(_ query: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(query.utf8.count * 2)
        var n = 0
        for byte in query.utf8 {
            if byte == UInt8(ascii: "?") {
                n += 1
                out.append(UInt8(ascii: "$"))
                out.append(contentsOf: String(n).utf8)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
