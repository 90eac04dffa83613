import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PosGuardApp
import PosGuardDomain
import PosGuardServices
import PosGuardTestSupport
import Testing

/// An incident's evidence over the API: files streamed in and kept by their hash, every upload, download and
/// hand-over in the chain of custody and on the timeline, nothing changed while the incident is open, the
/// police reading and downloading only, and the signed bundle checked offline.
@Suite("Evidence")
struct EvidenceAPITests {
    @Test func evidenceIsUploadedDownloadedHandedOverAndKeptUntilItsRetentionIsOver() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@kiez-baeckerei.demo")
            let incident = try await api.openIncident(token: admin)
            let photo = Array("a photo of the empty counter".utf8)
            let query =
                "file_name=counter%202.jpg&description=the%20empty%20counter&collected_by=Officer%20Kim"
                + "&collected_at=\(RFC3339.format(api.tenant.clock.now))&place=counter%202"
            let uploaded = try await api.upload(photo, to: incident, query: query, type: "image/jpeg", token: admin)
            #expect(uploaded.status == .created, "\(uploaded.text)")
            let id = try #require(uploaded.string("id"))
            #expect(uploaded.headers[.location] == "/api/v1/incidents/\(incident)/evidence/\(id)")
            #expect(uploaded.string("sha256") == sha256(photo))
            #expect(uploaded.object["size"] as? Int == photo.count)
            #expect(uploaded.string("file_name") == "counter_2.jpg")
            #expect(uploaded.string("media_type") == "image/jpeg")
            #expect(uploaded.string("collected_by") == "Officer Kim")
            #expect(uploaded.string("uploaded_by") == "admin@kiez-baeckerei.demo")

            let listed = try await api.call(.get, "/api/v1/incidents/\(incident)/evidence", token: admin)
            #expect(listed.items.compactMap { $0["id"] as? String } == [id])
            let metadata = try await api.call(.get, "/api/v1/incidents/\(incident)/evidence/\(id)", token: admin)
            #expect(metadata.status == .ok && metadata.string("place") == "counter 2")
            let content = try await api.call(.get, "/api/v1/incidents/\(incident)/evidence/\(id)/content", token: admin)
            #expect(content.status == .ok && content.text == "a photo of the empty counter")
            #expect(content.headers[.contentType] == "image/jpeg")

            let handover = try await api.call(
                .post, "/api/v1/incidents/\(incident)/evidence/\(id)/handovers", token: admin,
                json: #"{"from":"Officer Kim","to":"Berlin LKA 3","purpose":"forensic examination"}"#)
            #expect(handover.status == .created, "\(handover.text)")
            let custody = try await api.call(.get, "/api/v1/incidents/\(incident)/evidence/\(id)/custody", token: admin)
            #expect(custody.items.compactMap { $0["action"] as? String } == ["upload", "download", "handover"])
            #expect(custody.items.first?["from"] as? String == "Officer Kim")
            #expect(custody.items[1]["to"] as? String == "admin@kiez-baeckerei.demo")
            #expect(custody.items.last?["to"] as? String == "Berlin LKA 3")
            #expect(custody.items.last?["purpose"] as? String == "forensic examination")
            // Each custody entry is on the timeline and in the audit log.
            let timeline = try await api.call(.get, "/api/v1/incidents/\(incident)/timeline", token: admin).items
            #expect(timeline.filter { $0["kind"] as? String == "evidence" }.count == 3)
            let audit = try await api.all(
                "/api/v1/audit?target_id=\(incident)", token: try await api.token("admin@harbour.demo"))
            let actions = Set(audit.compactMap { $0["action"] as? String })
            #expect(actions.isSuperset(of: ["evidence.upload", "evidence.download", "evidence.handover"]))

            // Evidence of an open incident is not deleted, by anyone.
            let provider = try await api.token("admin@harbour.demo")
            let open = try await api.call(.delete, "/api/v1/incidents/\(incident)/evidence/\(id)", token: provider)
            #expect(open.status == .conflict, "\(open.text)")
            #expect(
                try await api.call(.delete, "/api/v1/incidents/\(incident)/evidence/\(id)", token: admin).status
                    == .forbidden)
            // Closed, it is kept for the retention period; then a provider admin may delete the file.
            try await api.close(incident, token: admin)
            let closed = try await api.upload(photo, to: incident, query: "", type: "image/jpeg", token: admin)
            #expect(closed.status == .conflict, "no upload to a closed incident")
            let early = try await api.call(.delete, "/api/v1/incidents/\(incident)/evidence/\(id)", token: provider)
            #expect(early.status == .conflict, "\(early.text)")
            api.tenant.clock.advance(366 * 86_400)
            let later = try await api.token("admin@kiez-baeckerei.demo")
            #expect(
                try await api.call(.delete, "/api/v1/incidents/\(incident)/evidence/\(id)", token: later).status
                    == .forbidden)
            let deleted = try await api.call(
                .delete, "/api/v1/incidents/\(incident)/evidence/\(id)",
                token: try await api.token("admin@harbour.demo"))
            #expect(deleted.status == .noContent, "\(deleted.text)")
            let gone = try await api.call(.get, "/api/v1/incidents/\(incident)/evidence/\(id)/content", token: later)
            #expect(gone.status == .conflict)
            let kept = try await api.call(.get, "/api/v1/incidents/\(incident)/evidence/\(id)", token: later)
            #expect(kept.status == .ok && kept.string("deleted_by") == "admin@harbour.demo")
            let chain = try await api.call(.get, "/api/v1/incidents/\(incident)/evidence/\(id)/custody", token: later)
            #expect(chain.items.last?["action"] as? String == "deletion")
        }
    }

    @Test func thePoliceListReadAndDownloadButChangeNothing() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let police = try await api.token("liaison@police.demo")
            let granted = try await api.openIncident(token: admin, terminal: 0)
            let other = try await api.openIncident(token: admin, terminal: 1)
            let id = try #require(
                try await api.upload(
                    Array("cctv".utf8), to: granted, query: "file_name=cctv.mp4", type: "video/mp4",
                    token: admin
                ).string("id"))
            let officer = try #require(
                try await api.all("/api/v1/users", token: admin).first { $0["role"] as? String == "police_liaison" }?[
                    "id"] as? String)
            _ = try await api.call(
                .post, "/api/v1/incidents/\(granted)/access", token: admin, json: #"{"user_id":"\#(officer)"}"#)

            #expect(try await api.call(.get, "/api/v1/incidents/\(granted)/evidence", token: police).items.count == 1)
            #expect(
                try await api.call(.get, "/api/v1/incidents/\(granted)/evidence/\(id)", token: police).status == .ok)
            let download = try await api.call(
                .get, "/api/v1/incidents/\(granted)/evidence/\(id)/content", token: police)
            #expect(download.status == .ok && download.text == "cctv")
            let custody = try await api.call(.get, "/api/v1/incidents/\(granted)/evidence/\(id)/custody", token: admin)
            #expect(custody.items.last?["to"] as? String == "liaison@police.demo")
            // Every change is refused before the body is read, malformed or not.
            for (method, path) in [
                (HTTPRequest.Method.post, "/api/v1/incidents/\(granted)/evidence"),
                (.post, "/api/v1/incidents/\(granted)/evidence/\(id)/handovers"),
                (.delete, "/api/v1/incidents/\(granted)/evidence/\(id)"),
            ] {
                let reply = try await api.call(method, path, token: police, json: #"{"from": "#)
                #expect(reply.status == .forbidden, "\(method) \(path): \(reply.text)")
            }
            #expect(try await api.call(.get, "/api/v1/incidents/\(other)/evidence", token: police).status == .notFound)
            #expect(
                try await api.upload(Array("x".utf8), to: other, query: "", type: "text/plain", token: police).status
                    == .notFound)
            #expect(try await api.call(.get, "/api/v1/incidents/\(granted)/evidence", token: admin).items.count == 1)
        }
    }

    @Test func anEmptyFileIsRefusedAndAnOversizedOneKeepsNothing() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("posguard-evidence-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestDatabase.sqlite.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db) {
                $0.evidence = EvidenceSettings(directory: directory, maxBytes: 1000)
            }
            let large = ByteBuffer(repeating: 0x41, count: 5000)
            try await tenant.application.test(.router) { client in
                let api = APIHarness(client: client, tenant: tenant, routes: tenant.application.routes)
                let token = try await api.token("admin@kiez-baeckerei.demo")
                let incident = try await api.openIncident(token: token)
                let empty = try await api.upload([], to: incident, query: "", type: "image/png", token: token)
                #expect(empty.status == .unprocessableContent && empty.fieldErrors == ["body"], "\(empty.text)")
                let fits = try await api.upload(
                    Array(repeating: 0x42, count: 1000), to: incident, query: "", type: "image/png", token: token)
                #expect(fits.status == .created)
                // A body without a Content-Length: the limit is found while it streams in, chunk by chunk.
                let caller = try await tenant.caller("admin@kiez-baeckerei.demo")
                await #expect(throws: EvidenceFiles.TooLarge.self) {
                    _ = try await tenant.app.evidence(EvidenceSettings(directory: directory, maxBytes: 1000)).upload(
                        .init(fileName: "cctv.mp4"), to: try #require(UUID(uuidString: incident)), by: caller
                    ) { intake in
                        for _ in 0..<10 { try [UInt8](repeating: 0x43, count: 300).withUnsafeBytes(intake.write) }
                    }
                }
            }
            // Over a real socket, with the Content-Length a client sends: refused before the body is read.
            try await tenant.application.test(.live) { client in
                let api = APIHarness(client: client, tenant: tenant, routes: tenant.application.routes)
                let token = try await api.token("admin@kiez-baeckerei.demo")
                let incident = try #require(
                    try await api.call(.get, "/api/v1/incidents?status=open", token: token).items.first?["id"]
                        as? String)
                let reply = try await client.execute(
                    uri: "/api/v1/incidents/\(incident)/evidence", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "image/png"], body: large)
                #expect(reply.status == .contentTooLarge)
                #expect(
                    try await api.call(.get, "/api/v1/incidents/\(incident)/evidence", token: token).items.count == 1)
            }
            // Nothing of the refused uploads is left: one file, and no temporary files.
            let files = try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter {
                !$0.hasSuffix("/") && $0.count > 3 && !$0.hasPrefix("tmp")
            }
            #expect(
                files == [
                    String(sha256(Array(repeating: 0x42, count: 1000)).prefix(2)) + "/"
                        + String(sha256(Array(repeating: 0x42, count: 1000)).dropFirst(2))
                ])
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("tmp").path)
                    .isEmpty)
        }
    }

    @Test func theBundleIsSignedAndATamperedOneFailsItsCheck() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@kiez-baeckerei.demo")
            let incident = try await api.openIncident(token: admin)
            for (name, text) in [("statement.txt", "I saw a man in a red jacket"), ("photo.jpg", "jpeg bytes")] {
                let reply = try await api.upload(
                    Array(text.utf8), to: incident, query: "file_name=\(name)", type: "application/octet-stream",
                    token: admin)
                #expect(reply.status == .created)
            }
            let response = try await api.client.execute(
                uri: "/api/v1/incidents/\(incident)/evidence-bundle", method: .get,
                headers: [.authorization: "Bearer \(admin)"])
            #expect(response.status == .ok && response.headers[.contentType] == "application/zip")
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let bundle = work.appendingPathComponent("bundle.zip")
            try Data(buffer: response.body).write(to: bundle)

            // Intact: by the instance's key, with PosGuard and with standard tools alone.
            let key = EvidenceBundle.publicKey(of: api.tenant.app.runtime)
            let verdict = try EvidenceBundle.verify(bundle, publicKeyPEM: key)
            #expect(verdict.intact && verdict.files == 2, "\(verdict.problems)")
            let keyFile = work.appendingPathComponent("instance.pem")
            try Data(key.utf8).write(to: keyFile)
            #expect(try run("scripts/check-evidence-bundle.sh", bundle.path, keyFile.path) == 0)
            // The bundle's files are in the custody: each went out to the admin.
            let evidence = try await api.call(.get, "/api/v1/incidents/\(incident)/evidence", token: admin).items
            let custody = try await api.call(
                .get, "/api/v1/incidents/\(incident)/evidence/\(evidence[0]["id"]!)/custody", token: admin)
            #expect(custody.items.last?["purpose"] as? String == "evidence bundle")

            // Another key did not sign it.
            let stranger = EvidenceBundle.publicKey(
                of: Runtime(database: api.tenant.app.runtime.database, secrets: .random()))
            #expect(try !EvidenceBundle.verify(bundle, publicKeyPEM: stranger).intact)
            // One file changed: named by PosGuard, refused by sha256sum.
            let unpacked = work.appendingPathComponent("unpacked")
            #expect(try run("/usr/bin/unzip", "-q", bundle.path, "-d", unpacked.path) == 0)
            let files = try FileManager.default.contentsOfDirectory(
                atPath: unpacked.appendingPathComponent("files").path)
            let statement = try #require(files.first { $0.hasSuffix("statement.txt") })
            try Data("I saw a woman in a blue jacket".utf8).write(
                to: unpacked.appendingPathComponent("files").appendingPathComponent(statement))
            let tampered = work.appendingPathComponent("tampered.zip")
            #expect(try run("/bin/sh", "-c", "cd '\(unpacked.path)' && zip -q -r '\(tampered.path)' .") == 0)
            let verdictOfTampered = try EvidenceBundle.verify(tampered, publicKeyPEM: key)
            #expect(verdictOfTampered.problems == ["files/\(statement) does not match its SHA-256 in the manifest"])
            #expect(try run("scripts/check-evidence-bundle.sh", tampered.path, keyFile.path) != 0)
            // The manifest changed: the signature no longer holds.
            let manifest = unpacked.appendingPathComponent("manifest.json")
            let text = try String(contentsOf: manifest, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "gone from the counter", with: "never there").utf8).write(
                to: manifest)
            let forged = work.appendingPathComponent("forged.zip")
            #expect(try run("/bin/sh", "-c", "cd '\(unpacked.path)' && zip -q -r '\(forged.path)' .") == 0)
            #expect(
                try EvidenceBundle.verify(forged, publicKeyPEM: key).problems.contains(
                    "manifest.sig is not a signature of manifest.json by this public key"))
            #expect(try run("scripts/check-evidence-bundle.sh", forged.path, keyFile.path) != 0)
        }
    }
}

/// Runs a command (a path relative to the package, or absolute) and answers its exit status.
private func run(_ command: String, _ arguments: String...) throws -> Int32 {
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let process = Process()
    process.executableURL =
        command.hasPrefix("/") ? URL(fileURLWithPath: command) : package.appendingPathComponent(command)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

private func sha256(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

extension APIHarness {
    /// Opens a suspected theft of one of the caller's active terminals and answers its id.
    func openIncident(token: String, terminal index: Int = 0) async throws -> String {
        let terminals = try await all("/api/v1/terminals?state=active", token: token, pageSize: 100)
        let reply = try await call(
            .post, "/api/v1/incidents", token: token,
            json:
                #"{"type":"suspected_theft","description":"gone from the counter","terminal_ids":["\#(terminals[index]["id"]!)"]}"#
        )
        guard let id = reply.string("id") else { throw HarnessError(message: "open: \(reply.status) \(reply.text)") }
        return id
    }

    /// Uploads bytes as evidence, the metadata in `query`.
    func upload(_ bytes: [UInt8], to incident: String, query: String, type: String, token: String) async throws
        -> Reply
    {
        let response = try await client.execute(
            uri: "/api/v1/incidents/\(incident)/evidence" + (query.isEmpty ? "" : "?\(query)"), method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: type], body: ByteBuffer(bytes: bytes))
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Ends every open task of an incident as not applicable, then closes it.
    func close(_ incident: String, token: String) async throws {
        for task in try await call(.get, "/api/v1/incidents/\(incident)/tasks", token: token).items
        where task["state"] as? String == "open" {
            _ = try await call(
                .patch, "/api/v1/incidents/\(incident)/tasks/\(task["id"]!)", token: token,
                json: #"{"state":"not_applicable","note":"handled outside PosGuard for this test"}"#)
        }
        let closed = try await call(
            .post, "/api/v1/incidents/\(incident)/close", token: token, json: #"{"lessons_learned":"-"}"#)
        guard closed.status == .ok else { throw HarnessError(message: "close: \(closed.status) \(closed.text)") }
    }
}
