import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

/// Alert emails through a real SMTP server (aiosmtpd, started by scripts/test.sh with STARTTLS and a
/// throwaway certificate authority). Skipped when no such server is running. One test at a time: each counts
/// what the server received.
@Suite(
    "Alert email", .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["POSGUARD_TEST_SMTP_PORT"] != nil,
        "scripts/test.sh starts the SMTP server"))
struct EmailTests {
    static let environment = ProcessInfo.processInfo.environment
    static var directory: String { environment["POSGUARD_TEST_SMTP_DIR"] ?? "" }
    /// The test server, trusted through its throwaway certificate authority.
    static var settings: SMTPSettings {
        SMTPSettings(
            host: "127.0.0.1", port: Int(environment["POSGUARD_TEST_SMTP_PORT"]!)!, from: "alerts@posguard.test",
            trustedCAFile: directory + "/ca.pem")
    }

    struct Received {
        var to: [String]
        var tls: Bool
        var subject: String
        var body: String
    }

    /// The messages the SMTP server has received, decoded.
    static func received() throws -> [Received] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        return try files.map { file in
            let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(file))
            let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let raw = (record["data"] as? String ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            let parts = raw.components(separatedBy: "\n\n")
            let subjectLine = parts[0].split(separator: "\n").first { $0.hasPrefix("Subject: ") } ?? ""
            let encoded = subjectLine.dropFirst("Subject: =?UTF-8?B?".count).dropLast(2)
            let subject = String(decoding: Data(base64Encoded: String(encoded)) ?? Data(), as: UTF8.self)
            let body = String(
                decoding: Data(base64Encoded: parts.dropFirst().joined().replacingOccurrences(of: "\n", with: ""))
                    ?? Data(),
                as: UTF8.self)
            return Received(
                to: record["to"] as? [String] ?? [], tls: record["tls"] as? Bool ?? false, subject: subject, body: body)
        }
    }

    @Test func alertsReachManagersAndContactsInTheirLanguageOverTLS() async throws {
        let settings = Self.settings
        try await TestDatabase.sqlite.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db, smtp: settings)
            let mail = try #require(tenant.app.mail)
            let shanghai = try await tenant.caller("manager.shanghai@lotus-tea.demo")
            let berlin = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let tea = try #require(try await tenant.allTerminals(shanghai, filter: .init(state: .active)).first)
            let bread = try #require(try await tenant.allTerminals(berlin, filter: .init(state: .active)).first)
            let at = JSONValue.string(RFC3339.format(tenant.clock.now))
            for terminal in [tea, bread] {
                _ = try await tenant.app.ingest.ingest(
                    [.object(["seq": 1, "type": "tamper", "at": at, "sensor": "case_open"])], from: terminal.id)
            }
            let before = try Self.received().count
            #expect(try await mail.sendDue() == 4)
            let messages = try Self.received()
            let outbox = try await db.withConnection {
                try await NotificationRepository(secrets: tenant.app.runtime.secrets).emails(
                    provider: tea.providerID, on: $0)
            }
            #expect(messages.count == before + 4, "\(outbox.map(\.status))")
            func message(to address: String) throws -> Received {
                try #require(
                    messages.last {
                        $0.to == [address] && $0.body.contains(tea.tid)
                            || $0.to == [address] && $0.body.contains(bread.tid)
                    })
            }
            let chinese = try message(to: "manager.shanghai@lotus-tea.demo")
            #expect(chinese.tls && chinese.subject.contains("检测到拆机") && chinese.body.contains("请立即检查该终端"))
            #expect(try message(to: "admin@lotus-tea.demo").subject.contains("严重"))
            let english = try message(to: "manager.berlin@kiez-baeckerei.demo")
            #expect(
                english.tls && english.subject.hasPrefix("[PosGuard] CRITICAL: Tamper detected — terminal \(bread.tid)")
            )
            #expect(try message(to: "admin@kiez-baeckerei.demo").body.contains("Check the terminal now"))
            #expect(try await mail.sendDue() == 0, "each email is sent once")
        }
    }

    @Test func twoSendersAtOnceSendEachEmailOnce() async throws {
        let settings = Self.settings
        try await TestDatabase.sqlite.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db, smtp: settings)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let terminals = try await tenant.allTerminals(manager, filter: .init(state: .active)).prefix(3)
            for terminal in terminals {
                _ = try await tenant.app.ingest.ingest(
                    [
                        .object([
                            "seq": 1, "type": "tamper", "at": .string(RFC3339.format(tenant.clock.now)), "sensor": "x",
                        ])
                    ],
                    from: terminal.id)
            }
            // Two instances' senders, as two processes would run them, on the same outbox at the same moment.
            let senders = (0..<2).map { _ in EmailDispatcher(runtime: tenant.app.runtime, settings: settings) }
            let before = try Self.received().count
            async let first = senders[0].sendDue()
            async let second = senders[1].sendDue()
            let attempted = try await first + second
            #expect(attempted == terminals.count * 2, "a manager and the merchant's admin for each alert")
            #expect(try Self.received().count == before + attempted, "no email went out twice")
        }
    }

    @Test func anUnreachableServerIsRetriedLater() async throws {
        let settings = SMTPSettings(host: "127.0.0.1", port: 9, from: "alerts@posguard.test")
        try await TestDatabase.sqlite.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db, smtp: settings)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let terminal = try #require(try await tenant.allTerminals(manager, filter: .init(state: .active)).first)
            _ = try await tenant.app.ingest.ingest(
                [
                    .object([
                        "seq": 1, "type": "tamper", "at": .string(RFC3339.format(tenant.clock.now)), "sensor": "x",
                    ])
                ],
                from: terminal.id)
            #expect(try await tenant.app.mail?.sendDue() == 2)
            #expect(try await tenant.app.mail?.sendDue() == 0, "the retry waits its turn")
            let outbox = try await db.withConnection {
                try await NotificationRepository(secrets: tenant.app.runtime.secrets).emails(
                    provider: terminal.providerID, on: $0)
            }
            #expect(outbox.count == 2 && outbox.allSatisfy { $0.status == "pending" && $0.0.attempts == 1 })
        }
    }
}

@Suite("SMTP client")
struct SMTPClientTests {
    @Test func aMailServerThatNeverAnswersIsLeftAtTheDeadline() async throws {
        // A listening socket that is never read: the kernel completes the connection, the server never greets.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(listener, $0, length) == 0, listen(listener, 8) == 0, getsockname(listener, $0, &length) == 0
                else { throw POSIXError(.EADDRNOTAVAIL) }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let client = SMTPClient(
            settings: SMTPSettings(host: "127.0.0.1", port: port, from: "alerts@posguard.test", deadline: .seconds(1)))
        let began = ContinuousClock.now
        let failure = await #expect(throws: SMTPClient.Failure.self) {
            try await client.send(to: "manager@shop.test", subject: "s", body: "b", at: Date())
        }
        #expect(failure?.description.contains("did not finish within") == true)
        // Within a minute, not at the deadline's second: the whole suite shares the machine's cores (12 s was
        // seen on two slow ones), and a sender held by a silent server would wait for ever.
        #expect(ContinuousClock.now - began < .seconds(60), "the sender is not held")
    }
}
