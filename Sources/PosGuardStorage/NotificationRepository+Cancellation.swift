import Foundation
import PosGuardDomain
import SQLKit

/// A deleted webhook's queued messages: cancelled with it, and never sent once it is gone.
extension NotificationRepository {
    /// Cancels the webhook's pending deliveries, so no queued retry goes out; returns how many there were.
    @discardableResult
    public func cancelPendingDeliveries(of webhook: UUID, reason: String, on work: UnitOfWork) async throws -> Int {
        let pending = WebhookDelivery.Status.pending.rawValue
        let count =
            try await work.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("webhook_deliveries").where("webhook_id", .equal, webhook.key).where("status", .equal, pending)
            .first()?.decode(column: "n", as: Int64.self) ?? 0
        try await work.sql.update("webhook_deliveries").set("status", to: WebhookDelivery.Status.cancelled.rawValue)
            .set("next_attempt_at", to: SQLLiteral.null).set("last_error", to: reason)
            .where("webhook_id", .equal, webhook.key).where("status", .equal, pending).run()
        return Int(count)
    }

    /// Whether the delivery may still be sent: it is pending and its webhook has not been deleted. Asked
    /// right before sending, since a webhook may be deleted while its delivery is on its way out.
    public func isDeliverable(_ delivery: UUID, on work: UnitOfWork) async throws -> Bool {
        try await work.sql.select().column(SQLColumn("id", table: "d"))
            .from(SQLAlias(SQLIdentifier("webhook_deliveries"), as: SQLIdentifier("d")))
            .join(
                SQLAlias(SQLIdentifier("webhooks"), as: SQLIdentifier("w")), method: SQLJoinMethod.inner,
                on: SQLColumn("id", table: "w"), .equal, SQLColumn("webhook_id", table: "d")
            )
            .where(SQLColumn("id", table: "d"), .equal, SQLBind(delivery.key))
            .where(SQLColumn("status", table: "d"), .equal, SQLBind(WebhookDelivery.Status.pending.rawValue))
            .where(SQLColumn("deleted_at", table: "w"), .is, SQLLiteral.null).first() != nil
    }
}
