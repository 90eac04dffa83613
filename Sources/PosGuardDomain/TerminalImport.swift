import Foundation

/// Turns an inventory spreadsheet (CSV with a header row) into terminals to register, reporting every bad
/// row by its line number so the whole file can be fixed in one go.
public enum TerminalImport {
    public static let requiredColumns = ["make", "model", "serial", "tid", "mid", "store_code"]
    public static let optionalColumns = ["firmware_version", "app_version", "iccid", "state"]
    /// States a terminal may be imported in: fresh stock, or already in service.
    public static let importableStates: Set<TerminalState> = [.inventory, .active]

    public struct Row: Sendable, Equatable {
        public var line: Int
        public var storeCode: String
        public var details: TerminalDetails
        public var state: TerminalState
    }

    public struct RowError: Sendable, Equatable, Codable {
        public var line: Int
        public var field: String
        public var message: String

        public init(line: Int, field: String, message: String) {
            self.line = line
            self.field = field
            self.message = message
        }
    }

    static let cardDataMessage =
        "holds card data (a full card number or track data), which is never imported: remove it from the file"

    /// Parses and validates every row; rows that fail come back as errors, never half-read.
    public static func read(_ text: String) -> (rows: [Row], errors: [RowError]) {
        let records: [(line: Int, fields: [String])]
        do {
            records = try CSV.parse(text)
        } catch {
            return ([], [RowError(line: error.line, field: "file", message: error.message)])
        }
        guard let header = records.first else {
            return ([], [RowError(line: 1, field: "file", message: "is empty: expected a header row")])
        }
        // Card data is refused in any cell, before anything else can repeat the cell's text in an error.
        if header.fields.contains(where: { CardDataScan.containsCardData($0) }) {
            return ([], [RowError(line: header.line, field: "header", message: Self.cardDataMessage)])
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let known = Set(requiredColumns + optionalColumns)
        var errors: [RowError] = []
        for column in requiredColumns where !names.contains(column) {
            errors.append(RowError(line: header.line, field: column, message: "column is missing from the header"))
        }
        for name in names where !known.contains(name) {
            errors.append(RowError(line: header.line, field: name, message: "is not a known column"))
        }
        if !errors.isEmpty { return ([], errors) }

        var rows: [Row] = []
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                errors.append(
                    RowError(
                        line: record.line, field: "row",
                        message: "has \(record.fields.count) fields, the header has \(names.count)"))
                continue
            }
            let carded = zip(names, record.fields).filter { CardDataScan.containsCardData($0.1) }
            if !carded.isEmpty {
                errors += carded.map { RowError(line: record.line, field: $0.0, message: Self.cardDataMessage) }
                continue
            }
            var value: [String: String] = [:]
            for (name, field) in zip(names, record.fields) { value[name] = field }
            let details = TerminalDetails(
                make: value["make"] ?? "", model: value["model"] ?? "", serial: value["serial"] ?? "",
                tid: value["tid"] ?? "", mid: value["mid"] ?? "", firmwareVersion: value["firmware_version"],
                appVersion: value["app_version"], iccid: value["iccid"])
            var rowErrors: [RowError] = []
            var cleaned = details
            do {
                cleaned = try details.validated()
            } catch {
                rowErrors += error.errors.map { RowError(line: record.line, field: $0.field, message: $0.message) }
            }
            let storeCode = (value["store_code"] ?? "").trimmingCharacters(in: .whitespaces)
            if storeCode.isEmpty {
                rowErrors.append(RowError(line: record.line, field: "store_code", message: "must not be empty"))
            }
            let stateText = (value["state"] ?? "").trimmingCharacters(in: .whitespaces)
            let state = stateText.isEmpty ? .inventory : TerminalState(rawValue: stateText)
            if state == nil || !importableStates.contains(state!) {
                rowErrors.append(RowError(line: record.line, field: "state", message: "must be inventory or active"))
            }
            if rowErrors.isEmpty, let state {
                rows.append(Row(line: record.line, storeCode: storeCode, details: cleaned, state: state))
            }
            errors += rowErrors
        }
        if rows.isEmpty && errors.isEmpty {
            errors.append(RowError(line: header.line, field: "file", message: "holds no terminals"))
        }
        return (rows, errors)
    }
}
