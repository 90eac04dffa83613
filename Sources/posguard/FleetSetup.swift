import Foundation
import NIOConcurrencyHelpers
import PosGuardServices

/// The fleet benchmark's terminals, set up as an acquirer would: through the REST API (a merchant, stores
/// open around the clock, a CSV import, an enrollment code per terminal) and the agent protocol (each
/// terminal enrolls with a key of its own).
struct FleetSetup {
    let client: PosGuardClient
    let token: String

    /// An enrolled terminal: who it is, its key, and the centre of its store's geofence.
    struct Terminal: Sendable {
        var id: UUID
        var signer: AgentSigner
        var latitude: Double
        var longitude: Double
    }

    static let storeCount = 20
    static let radiusM = 100.0

    /// Registers and enrolls `count` terminals, `concurrency` calls at a time, saying how long each step took.
    func terminals(_ count: Int, concurrency: Int) async throws -> [Terminal] {
        let began = ContinuousClock.now
        let (merchant, registered) = try await register(count)
        say(
            String(
                format: "registered:     %d terminals in %.1f s (a merchant, %d stores, CSV imports of 10,000)",
                registered.count, BenchKit.seconds(.now - began), Self.storeCount))
        let enrolling = ContinuousClock.now
        let enrolled = try await enroll(
            registered, centres: try await storeCentres(merchant: merchant), concurrency: concurrency)
        say(
            String(
                format:
                    "enrolled:       %d terminals in %.1f s (an enrollment code each, then /agent/v1/enroll with a new key)",
                enrolled.count, BenchKit.seconds(.now - enrolling)))
        return enrolled
    }

    typealias Registered = (id: UUID, serial: String, tid: String, store: String)

    /// A merchant with stores open around the clock, and `count` terminals imported into them.
    private func register(_ count: Int) async throws -> (merchant: String, [Registered]) {
        let run = String(UInt32.random(in: 0..<UInt32.max) % 1296, radix: 36).uppercased()
        let merchant =
            try await client.expect(
                201, .POST, "/api/v1/merchants", token: token, json: ["name": "Fleet benchmark \(run)"]
            ).object["id"] as? String ?? ""
        let always = Dictionary(
            uniqueKeysWithValues: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map {
                ($0, ["00:00-24:00"])
            })
        var stores: [(code: String, latitude: Double, longitude: Double)] = []
        for s in 0..<Self.storeCount {
            let code = "FLEET\(run)-\(s)"
            let (latitude, longitude) = (48.0 + Double(s) * 0.1, 11.0 + Double(s) * 0.1)
            _ = try await client.expect(
                201, .POST, "/api/v1/stores", token: token,
                json: [
                    "merchant_id": merchant, "code": code, "name": "Fleet store \(s)", "address": "\(s) Market St",
                    "city": "Munich", "country": "DE", "time_zone": "Europe/Berlin", "business_hours": always,
                    "geofence": ["latitude": latitude, "longitude": longitude, "radius_m": Self.radiusM],
                ])
            stores.append((code, latitude, longitude))
        }
        var imported = 0
        while imported < count {
            let size = min(10_000, count - imported)
            var lines = ["make,model,serial,tid,mid,store_code,firmware_version,state"]
            for n in imported..<(imported + size) {
                lines.append(
                    "Ingenico,Move/5000,FLEET-\(run)-\(n),F\(run)\(String(n, radix: 36).uppercased()),MID\(n % 1000),"
                        + "\(stores[n % stores.count].code),4.2.1,active")
            }
            let reply = try await client.call(
                .POST, "/api/v1/terminals/import", token: token, raw: Array(lines.joined(separator: "\n").utf8),
                contentType: "text/csv")
            guard reply.status == 201 else {
                throw PosGuardClient.Failure(description: "the import answered \(reply.status): \(reply.json ?? "")")
            }
            imported += size
        }
        var registered: [Registered] = []
        for item in try await client.all("/api/v1/terminals?merchant_id=\(merchant)", token: token) {
            guard let id = (item["id"] as? String).flatMap(UUID.init(uuidString:)),
                let serial = item["serial"] as? String, let tid = item["tid"] as? String,
                let store = item["store_id"] as? String
            else { continue }
            registered.append((id, serial, tid, store))
        }
        return (merchant, registered)
    }

    /// Enrolls each terminal as its agent would: a code issued through the API, then the agent's enrollment.
    private func enroll(_ registered: [Registered], centres: [String: (Double, Double)], concurrency: Int)
        async throws -> [Terminal]
    {
        let progress = Progress(total: registered.count)
        let done = NIOLockedValueBox(0)
        let enrolled = try await withThrowingTaskGroup(of: [Terminal].self) { group in
            for w in 0..<concurrency {
                group.addTask { [registered] in
                    var mine: [Terminal] = []
                    for t in stride(from: w, to: registered.count, by: concurrency) {
                        let terminal = registered[t]
                        let code =
                            try await client.expect(
                                201, .POST, "/api/v1/terminals/\(terminal.id.uuidString)/enrollment-code", token: token
                            ).object["code"] as? String ?? ""
                        let signer = AgentSigner()
                        _ = try await client.expect(
                            201, .POST, "/agent/v1/enroll",
                            json: [
                                "code": code, "public_key": signer.publicKey, "serial": terminal.serial,
                                "tid": terminal.tid,
                            ])
                        let centre = centres[terminal.store] ?? (0, 0)
                        mine.append(Terminal(id: terminal.id, signer: signer, latitude: centre.0, longitude: centre.1))
                        let n = done.withLockedValue {
                            $0 += 1
                            return $0
                        }
                        if n % 500 == 0 { progress.show(n, detail: "\(n) terminals enrolled") }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        progress.finish()
        return enrolled.sorted { $0.id.uuidString < $1.id.uuidString }
    }

    private func storeCentres(merchant: String) async throws -> [String: (Double, Double)] {
        var centres: [String: (Double, Double)] = [:]
        for store in try await client.all("/api/v1/stores?merchant_id=\(merchant)", token: token) {
            guard let id = store["id"] as? String, let fence = store["geofence"] as? [String: Any],
                let latitude = fence["latitude"] as? Double, let longitude = fence["longitude"] as? Double
            else { continue }
            centres[id] = (latitude, longitude)
        }
        return centres
    }
}
