import Foundation
import PosGuardDomain
import PosGuardStorage

/// Sends the email outbox through SMTP, retrying failures with the same backoff as webhooks.
public struct EmailDispatcher: Sendable {
    let runtime: Runtime
    let client: SMTPClient
    var repository: NotificationRepository { NotificationRepository(secrets: runtime.secrets) }

    public init(runtime: Runtime, settings: SMTPSettings) {
        self.runtime = runtime
        client = SMTPClient(settings: settings)
    }

    /// Attempts every due email once; returns how many were attempted.
    @discardableResult
    public func sendDue(limit: Int = 50) async throws -> Int {
        let now = runtime.now()
        let due = try await runtime.database.withConnection { db in
            let candidates = try await repository.dueEmails(at: now, limit: limit, on: db)
            let claimed = try await repository.claimEmails(
                candidates.map(\.id), until: now.addingTimeInterval(WebhookDispatcher.claimLease), at: now, on: db)
            return candidates.filter { claimed.contains($0.id) }
        }
        for email in due {
            var error: String? = nil
            do {
                try await client.send(to: email.recipient, subject: email.subject, body: email.body, at: now)
            } catch let failure {
                error = String(describing: failure).prefix(500).description
            }
            let attempts = email.attempts + 1
            let next = error == nil ? nil : RetrySchedule.next(after: attempts, createdAt: email.createdAt, now: now)
            try await runtime.database.withConnection {
                try await repository.recordEmail(
                    email.id, sent: error == nil, attempts: attempts, next: next, error: error, at: now, on: $0)
            }
        }
        return due.count
    }
}
