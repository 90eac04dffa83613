import Foundation

/// The closing report of an incident: its summary, timeline, impact, evidence (with hashes), tasks with who
/// ended them and when, and the lessons learned. Read as JSON, or as a printable HTML page rendered here.
public struct IncidentReport: Sendable, Equatable, Codable {
    public var incident: Incident
    public var storeName: String
    public var tasks: [IncidentTask]
    public var timeline: [TimelineEntry]
    public var impact: IncidentImpact
    /// The evidence kept with the incident, with its SHA-256, including files deleted after their retention.
    public var evidence: [Evidence]
    public var generatedAt: Date

    public init(
        incident: Incident, storeName: String, tasks: [IncidentTask], timeline: [TimelineEntry],
        impact: IncidentImpact, evidence: [Evidence], generatedAt: Date
    ) {
        self.incident = incident
        self.storeName = storeName
        self.tasks = tasks
        self.timeline = timeline
        self.impact = impact
        self.evidence = evidence
        self.generatedAt = generatedAt
    }

    /// The report without the customers' contact details (`IncidentImpact.withoutContacts`).
    public var withoutContacts: IncidentReport {
        var report = self
        report.impact = impact.withoutContacts
        return report
    }
}

extension IncidentReport {
    /// The report as one self-contained HTML page with a print stylesheet; every text from people, terminals
    /// or the gateway is escaped.
    public func html() -> String {
        let i = incident
        func row(_ cells: [String]) -> String {
            "<tr>" + cells.map { "<td>\(HTMLText.escape($0))</td>" }.joined() + "</tr>"
        }
        func head(_ cells: [String]) -> String { "<tr>" + cells.map { "<th>\($0)</th>" }.joined() + "</tr>" }
        func time(_ date: Date?) -> String { date.map(RFC3339.format) ?? "—" }
        func amounts(_ list: [IncidentImpact.Amount]) -> String {
            list.isEmpty ? "0" : list.map { CustomerNotice.amount($0.amountMinor, $0.currency) }.joined(separator: ", ")
        }
        var summary: [(String, String)] = [
            ("Incident", i.id.uuidString), ("Type", i.type.rawValue), ("Status", i.status.rawValue),
            ("Store", storeName), ("Discovered", time(i.discoveredAt)), ("Place", i.place ?? "—"),
            ("Reported by", i.reporter), ("Description", i.description),
            ("Opened", "\(time(i.openedAt)) by \(i.openedBy)"),
            ("Police report", [i.policeReportNumber, i.policeStation].compactMap { $0 }.joined(separator: ", ")),
        ]
        if let closed = i.closedAt { summary.append(("Closed", "\(time(closed)) by \(i.closedBy ?? "—")")) }
        let downtime = Int(impact.downtimeSeconds / 60)
        let evidenceSection =
            evidence.isEmpty
            ? "<p>No evidence recorded.</p>"
            : "<table>\(head(["Evidence", "SHA-256", "Collected by", "Uploaded"]))"
                + evidence.map {
                    "<tr><td>\(HTMLText.escape([$0.fileName, $0.description].compactMap { $0 }.joined(separator: ": ")))"
                        + "</td><td class=\"mono\">\(HTMLText.escape($0.sha256))</td>"
                        + "<td>\(HTMLText.escape($0.collectedBy ?? "—"))</td>"
                        + "<td>\(time($0.uploadedAt)) by \(HTMLText.escape($0.uploadedBy))</td></tr>"
                }.joined() + "</table>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Incident report \(i.id.uuidString)</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #111; }
            table { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }
            th, td { border: 1px solid #bbb; padding: 4px 6px; text-align: left; vertical-align: top; }
            th { background: #eee; }
            h1 { font-size: 1.6em; } h2 { font-size: 1.2em; border-bottom: 2px solid #333; margin-top: 1.5em; }
            .mono { font-family: ui-monospace, monospace; word-break: break-all; }
            @media print {
              body { margin: 0; font-size: 10pt; }
              h2 { break-after: avoid; } tr { break-inside: avoid; }
              th { background: none; }
              a { color: inherit; text-decoration: none; }
            }
            </style></head><body>
            <h1>Incident report: \(HTMLText.escape(i.type.rawValue)) at \(HTMLText.escape(storeName))</h1>
            <p>Generated \(time(generatedAt)) by PosGuard. Card numbers appear masked only.</p>
            <h2>Summary</h2>
            <table>\(summary.map { "<tr><th>\($0.0)</th><td>\(HTMLText.escape($0.1))</td></tr>" }.joined())</table>
            <h2>Impact</h2>
            <table>
            <tr><th>Counted from</th><td>\(time(impact.since))</td></tr>
            <tr><th>Estimated loss</th><td>\(amounts(impact.estimatedLoss))</td></tr>
            <tr><th>Payment downtime</th><td>\(downtime / 60) h \(downtime % 60) min</td></tr>
            <tr><th>Customers</th><td>\(impact.customers.count)</td></tr>
            </table>
            <table>\(head(["Time", "Amount", "Card", "Result"]))\(impact.payments.map {
                row([time($0.at), CustomerNotice.amount($0.amountMinor, $0.currency), $0.card ?? "—", $0.result])
            }.joined())</table>
            <table>\(head(["Card", "Payments", "Approved", "Contact"]))\(impact.customers.map {
                row([$0.card, String($0.payments), amounts($0.approvedMinor),
                    [$0.name, $0.email].compactMap { $0 }.joined(separator: " ")])
            }.joined())</table>
            <h2>Tasks</h2>
            <table>\(head(["Task", "Owner", "Due", "State", "By", "When", "Note"]))\(tasks.map {
                row([$0.title, $0.ownerRole.rawValue, time($0.dueAt), $0.state.rawValue, $0.doneBy ?? "—",
                    time($0.doneAt), $0.note ?? ""])
            }.joined())</table>
            <h2>Evidence</h2>
            \(evidenceSection)
            <h2>Timeline</h2>
            <table>\(head(["Time", "Kind", "Who", "What"]))\(timeline.map {
                row([time($0.at), $0.kind, $0.actor, $0.text])
            }.joined())</table>
            <h2>Lessons learned</h2>
            <p>\(HTMLText.escape(i.lessonsLearned ?? "Not yet recorded: the incident is still open."))</p>
            </body></html>
            """
    }
}
