import Foundation
import HTTPTypes
import PosGuardDomain
import PosGuardTestSupport
import PosGuardWeb
import Testing

@Suite("Fields and text in request bodies")
struct TextAndFieldsAPITests {
    @Test func unknownFieldsAreNamedAndChangeNothing() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@harbour.demo")
            let terminal = try #require(try await api.all("/api/v1/terminals", token: token, pageSize: 100).first)
            let id = try #require(terminal["id"] as? String)
            let store = try #require(terminal["store_id"] as? String)

            let typo = try await api.call(
                .patch, "/api/v1/terminals/\(id)", token: token, json: #"{"app_verison":"9"}"#)
            #expect(typo.status == .unprocessableContent && typo.fieldErrors == ["app_verison"], "\(typo.text)")
            let nested = try await api.call(
                .patch, "/api/v1/stores/\(store)", token: token,
                json: #"{"geofence":{"latitude":1,"longitude":2,"radius_m":100,"radius_km":1}}"#)
            #expect(nested.status == .unprocessableContent && nested.fieldErrors == ["geofence.radius_km"])
            // A flattened body (a terminal's store and its details side by side) knows all its fields.
            let registered = try await api.call(
                .post, "/api/v1/terminals", token: token,
                json:
                    #"{"store_id":"\#(store)","make":"PAX","model":"A920","serial":"NEW-1","tid":"N0000001","mid":"M1","colour":"red"}"#
            )
            #expect(registered.status == .unprocessableContent && registered.fieldErrors == ["colour"])
            let after = try await api.call(.get, "/api/v1/terminals/\(id)", token: token)
            #expect(after.string("app_version") == terminal["app_version"] as? String)
        }
    }

    @Test func nullIsNotReadAsAbsent() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@harbour.demo")
            let terminal = try #require(try await api.all("/api/v1/terminals", token: token, pageSize: 100).first)
            let id = try #require(terminal["id"] as? String)
            let reply = try await api.call(
                .patch, "/api/v1/terminals/\(id)", token: token, json: #"{"app_version":null}"#)
            #expect(reply.status == .unprocessableContent && reply.fieldErrors == ["app_version"], "\(reply.text)")
            let signIn = try await api.call(
                .post, "/api/v1/session", json: #"{"email":"admin@harbour.demo","password":"x","totp":null}"#)
            #expect(signIn.status == .unprocessableContent && signIn.fieldErrors == ["totp"])
        }
    }

    @Test func aKnownPathWithAnotherMethodAnswers405WithAllow() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@harbour.demo")
            let trace = try await api.call(HTTPRequest.Method("TRACE")!, "/api/v1/me", token: token)
            #expect(trace.status == .methodNotAllowed && trace.headers[.allow] == "GET", "\(trace.text)")
            let put = try await api.call(.put, "/api/v1/terminals/\(UUID().uuidString)", token: token, json: "{}")
            #expect(put.status == .methodNotAllowed && put.headers[.allow] == "GET, PATCH")
            #expect(try await api.call(.get, "/api/v1/nowhere", token: token).status == .notFound)
        }
    }

    @Test func controlAndInvisibleCharactersAreRefusedEverywhere() async throws {
        try await APIHarness.run { api async throws in
            let manager = try await api.token("manager.berlin@kiez-baeckerei.demo")
            let store = try #require(try await api.call(.get, "/api/v1/me", token: manager).string("store_id"))
            let password = "a-long-enough-passphrase-7"
            for (field, email, name) in [
                ("email", #"admin@harbour.demo\u0000.x"#, "Cashier"),
                ("email", #"admin@harbour.demo\u200b"#, "Cashier"),
                ("name", "new.cashier@kiez-baeckerei.demo", #"Ann\u202Egnal"#),
                ("name", "new.cashier@kiez-baeckerei.demo", #"Ann\nAdmin"#),
            ] {
                let reply = try await api.call(
                    .post, "/api/v1/users", token: manager,
                    json:
                        #"{"email":"\#(email)","name":"\#(name)","role":"store_operator","password":"\#(password)","store_id":"\#(store)"}"#
                )
                #expect(reply.status == .unprocessableContent && reply.fieldErrors == [field], "\(email) \(reply.text)")
            }
            let users = try await api.all("/api/v1/users", token: manager)
            #expect(!users.contains { ($0["email"] as? String)?.hasPrefix("admin@harbour.demo") == true })
        }
    }

    @Test func cardNumbersAreRefusedInEveryFieldButTheScreeningRequestsPan() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@harbour.demo")
            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active", token: token, pageSize: 100).first)
            let id = try #require(terminal["id"] as? String)
            for (body, field) in [
                (#"{"to":"maintenance","reason":"card 4111 1111 1111 1111 was stuck"}"#, "reason"),
                (#"{"to":"maintenance","reason":"x","note":";4111111111111111=2512101?"}"#, "note"),
            ] {
                let reply = try await api.call(.post, "/api/v1/terminals/\(id)/transitions", token: token, json: body)
                #expect(reply.status == .unprocessableContent && reply.fieldErrors == [field], "\(reply.text)")
                #expect(!reply.text.contains("4111"), "the refusal never repeats the digits")
            }
            let patched = try await api.call(
                .patch, "/api/v1/terminals/\(id)", token: token, json: #"{"app_version":"5500-0000-0000-0004"}"#)
            #expect(patched.status == .unprocessableContent && patched.fieldErrors == ["app_version"])
            let screened = try await api.call(
                .post, "/api/v1/screen", token: token,
                json:
                    #"{"tid":"\#(terminal["tid"]!)","mid":"\#(terminal["mid"]!)","amount_minor":100,"currency":"EUR","pan":"4111111111111111"}"#
            )
            #expect(screened.status == .ok, "\(screened.text)")
            let after = try await api.call(.get, "/api/v1/terminals/\(id)", token: token)
            #expect(
                after.string("state") == "active" && after.string("app_version") == terminal["app_version"] as? String)
        }
    }

    @Test func emailsAreOneAddressHoweverTheyAreSpelled() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@kiez-baeckerei.demo")
            let store = try #require(
                try await api.all("/api/v1/stores", token: admin).first?["id"] as? String)
            let password = "a-long-enough-passphrase-7"
            // "jürgen" with a combining diaeresis, then with the composed letter and capitals.
            let decomposed = "ju\u{0308}rgen@kiez-baeckerei.demo"
            let created = try await api.call(
                .post, "/api/v1/users", token: admin,
                json:
                    #"{"email":"\#(decomposed)","name":"Jürgen","role":"store_operator","password":"\#(password)","store_id":"\#(store)"}"#
            )
            #expect(created.status == .created, "\(created.text)")
            #expect(created.string("email") == "j\u{00FC}rgen@kiez-baeckerei.demo")
            let again = try await api.call(
                .post, "/api/v1/users", token: admin,
                json:
                    #"{"email":" J\#u{00DC}RGEN@kiez-baeckerei.demo","name":"Other","role":"store_operator","password":"\#(password)","store_id":"\#(store)"}"#
            )
            #expect(again.status == .conflict)
            let signIn = try await api.call(
                .post, "/api/v1/session",
                json: #"{"email":"J\#u{00DC}rgen@Kiez-Baeckerei.demo","password":"\#(password)"}"#)
            #expect(signIn.status == .created)
        }
    }

    @Test func settingsKeysRoundTripAsTheyAreWritten() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@kiez-baeckerei.demo")
            let store = try #require(try await api.all("/api/v1/stores", token: admin).first?["id"] as? String)
            let iccid = "8949020000012345678"
            let put = try await api.call(
                .put, "/api/v1/stores/\(store)/detection-settings", token: admin,
                json: #"{"allowed_iccids":["\#(iccid)"]}"#)
            #expect(put.status == .ok, "\(put.text)")
            let view = try await api.call(.get, "/api/v1/stores/\(store)/detection-settings", token: admin)
            let overrides = view.object["overrides"] as? [String: Any] ?? [:]
            #expect(overrides["allowed_iccids"] as? [String] == [iccid], "\(view.text)")
            let effective = view.object["effective"] as? [String: Any] ?? [:]
            #expect(effective["allowed_iccids"] as? [String] == [iccid])
            // What was read can be written back unchanged.
            let back = try await api.call(
                .put, "/api/v1/stores/\(store)/detection-settings", token: admin,
                json: String(data: try JSONSerialization.data(withJSONObject: overrides), encoding: .utf8)!)
            #expect(back.status == .ok, "\(back.text)")
        }
    }

    @Test func everyKeyOfTheOpenAPIDocumentIsOneTheServerReadsAndWrites() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data) as? [String: Any])
        var keys: Set<String> = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if let properties = object["properties"] as? [String: Any] { keys.formUnion(properties.keys) }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(document)
        #expect(keys.count > 50)
        for key in keys.sorted() {
            #expect(JSONKeys.snakeCase(JSONKeys.camelCase(key)) == key, "\(key) does not round-trip")
        }
    }
}
