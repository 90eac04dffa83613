import Foundation
import Testing

@testable import PosGuardDomain

@Suite("Incident rules")
struct IncidentRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aTheftTakesTheLawfulRouteToStolen() {
        #expect(TerminalLifecycle.route(from: .active, to: .stolen) == [.suspectedStolen, .stolen])
        #expect(TerminalLifecycle.route(from: .suspectedStolen, to: .stolen) == [.stolen])
        #expect(TerminalLifecycle.route(from: .active, to: .locked) == [.locked])
        #expect(TerminalLifecycle.route(from: .stolen, to: .stolen) == [])
        #expect(TerminalLifecycle.route(from: .retired, to: .stolen) == [])
        #expect(IncidentType.theft.containment == .stolen && IncidentType.tampering.containment == .locked)
    }

    @Test func aTaskEndsOnceAndNotApplicableNeedsAReason() throws {
        let task = IncidentTask(
            id: UUID(), incidentID: UUID(), key: "report_police", title: "Report", ownerRole: .storeManager, dueAt: now)
        #expect(throws: IncidentTask.Refusal.self) { try task.ended(.notApplicable, note: "  ", by: "a", at: now) }
        #expect(throws: IncidentTask.Refusal.self) { try task.ended(.open, note: nil, by: "a", at: now) }
        let done = try task.ended(.done, note: nil, by: "anna", at: now)
        #expect(done.state == .done && done.doneBy == "anna" && done.doneAt == now)
        #expect(throws: IncidentTask.Refusal.self) { try done.ended(.done, note: nil, by: "b", at: now) }
    }

    @Test func anIncidentClosesOnlyWhenEveryTaskHasEnded() throws {
        let incident = Incident(
            id: UUID(), providerID: UUID(), merchantID: UUID(), storeID: UUID(), type: .theft, terminalIDs: [UUID()],
            alertID: nil, discoveredAt: now, place: nil, reporter: "anna", description: "gone", openedAt: now,
            openedBy: "anna")
        let template = IncidentTemplate.standard(for: .theft)
        var tasks = template.tasks(for: incident.id, at: now, containmentPending: true) { UUID() }
        #expect(tasks.first?.key == IncidentTemplate.sendContainment)
        #expect(tasks.count == template.steps.count + 1)
        #expect(tasks.allSatisfy { $0.dueAt >= now })
        #expect(throws: Incident.StillOpen.self) { try incident.closed(tasks: tasks, lessons: "x", by: "b", at: now) }
        tasks = try tasks.map { try $0.ended(.notApplicable, note: "handled", by: "b", at: now) }
        let closed = try incident.closed(tasks: tasks, lessons: "tether it", by: "b", at: now)
        #expect(closed.status == .closed && closed.lessonsLearned == "tether it" && closed.closedAt == now)
    }

    @Test func aProvidersPlanIsChecked() throws {
        try IncidentTemplate.standard(for: .loss).validate()
        let step = IncidentTemplate.Step(key: "call", title: "Call", ownerRole: .storeManager, dueAfterHours: 1)
        #expect(throws: ValidationFailure.self) { try IncidentTemplate(steps: []).validate() }
        #expect(throws: ValidationFailure.self) { try IncidentTemplate(steps: [step, step]).validate() }
        var bad = step
        bad.key = "Call Police"
        #expect(throws: ValidationFailure.self) { try IncidentTemplate(steps: [bad]).validate() }
        bad = step
        bad.dueAfterHours = -1
        #expect(throws: ValidationFailure.self) { try IncidentTemplate(steps: [bad]).validate() }
    }

    @Test func theTimelineIsInTimeOrderAndStableAtTheSameMoment() {
        let a = TimelineEntry(kind: "event", at: now.addingTimeInterval(5), actor: "t", text: "a")
        let b = TimelineEntry(kind: "alert", at: now, actor: "d", text: "b")
        let c = TimelineEntry(kind: "note", at: now, actor: "p", text: "c")
        #expect(TimelineEntry.merged([[a, b], [c]]).map(\.text) == ["b", "c", "a"])
    }
}
