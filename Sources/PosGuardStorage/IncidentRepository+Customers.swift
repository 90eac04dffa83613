import Foundation
import PosGuardDomain
import SQLKit

/// The contacts a merchant gives for the customers an incident touched, by masked card only.
extension IncidentRepository {
    /// Saves (or replaces) the contact for one masked card of an incident the caller has already found.
    public func setContact(
        _ contact: IncidentImpact.Contact, of incident: UUID, by actor: String, at now: Date, on work: UnitOfWork
    ) async throws {
        try await work.sql.insert(into: "incident_customers")
            .columns("incident_id", "card", "email", "name", "updated_by", "updated_at")
            .values(
                SQLBind(incident.key), SQLBind(contact.card), SQLBind(contact.email), SQLBind(contact.name),
                SQLBind(actor), SQLBind(now.millis)
            )
            .onConflict(with: ["incident_id", "card"]) {
                $0.set(excludedValueOf: "email").set(excludedValueOf: "name").set(excludedValueOf: "updated_by")
                    .set(excludedValueOf: "updated_at")
            }
            .run()
    }

    /// The contacts of an incident the caller has already found, by card.
    public func contacts(of incident: UUID, on work: UnitOfWork) async throws -> [IncidentImpact.Contact] {
        try await work.sql.select().column("*").from("incident_customers").where("incident_id", .equal, incident.key)
            .orderBy("card").all().map {
                IncidentImpact.Contact(
                    card: try $0.text("card"), email: try $0.text("email"), name: try $0.optionalText("name"))
            }
    }
}
