@_spi(SQL) import PosGuardStorage
import SQLKit

/// Every text value of a table as stored, read past the repositories: what someone holding a copy of the
/// database would see.
public enum RawRows {
    public static func texts(of table: String, in database: Database) async throws -> [String] {
        try await database.withSQL { db in
            try await db.select().column("*").from(table).all().flatMap { row in
                row.allColumns.compactMap { try? row.decode(column: $0, as: String?.self) ?? nil }
            }
        }
    }

    public static func count(of table: String, in database: Database) async throws -> Int {
        try await database.withSQL { db in
            try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(table).first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
    }
}
