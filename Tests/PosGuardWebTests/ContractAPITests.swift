import Foundation
import PosGuardDomain
import PosGuardTestSupport
import PosGuardWeb
import Testing

/// Requests the OpenAPI document forbids are refused, naming the field, rather than accepted or ignored.
@Suite("Requests outside the OpenAPI document")
struct ContractAPITests {
    @Test func aCurrencyIsThreeCapitalLetters() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@harbour.demo")
            let terminal = try #require(try await api.all("/api/v1/terminals", token: token, pageSize: 100).first)
            for currency in ["000", "eur", "EU1"] {
                let reply = try await api.call(
                    .post, "/api/v1/screen", token: token,
                    json:
                        #"{"tid":"\#(terminal["tid"]!)","mid":"\#(terminal["mid"]!)","amount_minor":1,"currency":"\#(currency)"}"#
                )
                #expect(reply.status == .unprocessableContent && reply.fieldErrors == ["currency"], "\(reply.text)")
            }
        }
    }

    @Test func aTimeIsExactlyRFC3339() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@harbour.demo")
            for at in ["2026-01-01T12:99:00Z", "2026-02-30T08:00:00Z"] {
                let reply = try await api.call(
                    .post, "/api/v1/screen", token: token,
                    json: #"{"tid":"T1","mid":"M1","amount_minor":1,"currency":"EUR","at":"\#(at)"}"#)
                #expect(reply.status == .unprocessableContent && reply.fieldErrors == ["at"], "\(reply.text)")
            }
            let fraction = try await api.call(
                .post, "/api/v1/screen", token: token,
                json: #"{"tid":"T1","mid":"M1","amount_minor":1,"currency":"EUR","at":"2026-01-01T12:00:00.5Z"}"#)
            #expect(fraction.status == .ok, "\(fraction.text)")
        }
    }

    @Test func anOperatorIdInThePathIsPercentDecoded() async throws {
        try await APIHarness.run { api async throws in
            let manager = try await api.token("manager.berlin@kiez-baeckerei.demo")
            let store = try #require(try await api.call(.get, "/api/v1/me", token: manager).string("store_id"))
            let put = try await api.call(
                .put, "/api/v1/stores/\(store)/operators/M%C3%BCller%201", token: manager, json: #"{"name":"Mia"}"#)
            #expect(put.status == .ok && put.string("operator_id") == "Müller 1", "\(put.text)")
            let removed = try await api.call(
                .delete, "/api/v1/stores/\(store)/operators/M%C3%BCller%201", token: manager)
            #expect(removed.status == .noContent)
        }
    }

    @Test func aCommandWithoutPayloadNamesTheFieldThatDoesNotBelong() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let terminal = try #require(try await api.all("/api/v1/terminals", token: admin, pageSize: 100).first)
            let id = try #require(terminal["id"] as? String)
            let reply = try await api.call(
                .post, "/api/v1/terminals/\(id)/commands", token: admin,
                json: #"{"type":"reboot","contact_phone":"+49 30 1234567","contact_email":"a@b.example"}"#)
            #expect(
                reply.status == .unprocessableContent && reply.fieldErrors == ["contact_phone", "contact_email"],
                "\(reply.text)")
        }
    }

    @Test func aUsersRoleDecidesWhichIdItTakes() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@kiez-baeckerei.demo")
            let store = try #require(try await api.all("/api/v1/stores", token: admin).first)
            let storeID = try #require(store["id"] as? String)
            let merchantID = try #require(store["merchant_id"] as? String)
            let password = "a-long-enough-passphrase-7"
            for (role, ids, field) in [
                ("store_operator", #""store_id":"\#(storeID)","merchant_id":"\#(merchantID)""#, "merchant_id"),
                ("merchant_admin", #""merchant_id":"\#(merchantID)","store_id":"\#(storeID)""#, "store_id"),
            ] {
                let reply = try await api.call(
                    .post, "/api/v1/users", token: admin,
                    json:
                        #"{"email":"new.\#(role)@kiez-baeckerei.demo","name":"New","role":"\#(role)","password":"\#(password)",\#(ids)}"#
                )
                #expect(reply.status == .unprocessableContent && reply.fieldErrors == [field], "\(reply.text)")
            }
            let users = try await api.all("/api/v1/users", token: admin)
            #expect(!users.contains { ($0["email"] as? String)?.hasPrefix("new.") == true })
        }
    }

    static func matches(_ pattern: String, _ text: String) throws -> Bool {
        try NSRegularExpression(pattern: pattern).firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
            != nil
    }

    @Test func everyCursorTheServerIssuesMatchesTheDocumentedPattern() async throws {
        let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let listing = try #require(paths["/api/v1/terminals"]?["get"] as? [String: Any])
        let parameters = try #require(listing["parameters"] as? [[String: Any]])
        let cursor = try #require(parameters.first { $0["name"] as? String == "cursor" })
        let pattern = try #require((cursor["schema"] as? [String: Any])?["pattern"] as? String)
        #expect(try (0..<200).allSatisfy { _ in try Self.matches(pattern, Cursor(afterID: UUID()).token) })
        #expect(try !Self.matches(pattern, "0") && !Self.matches(pattern, ""))
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@harbour.demo")
            let page = try await api.call(.get, "/api/v1/terminals?limit=1", token: token)
            let next = try #require(page.string("next_cursor"))
            #expect(try Self.matches(pattern, next))
        }
    }
}
