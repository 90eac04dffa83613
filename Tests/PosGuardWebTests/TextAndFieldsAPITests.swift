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
            let importGet = try await api.call(.get, "/api/v1/terminals/import", token: token)
            #expect(importGet.status == .methodNotAllowed && importGet.headers[.allow] == "POST")
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
            // Outside a JSON body too: a route's segment, a query parameter, in any script's digits.
            let store = try #require(terminal["store_id"] as? String)
            let rostered = try await api.call(
                .put, "/api/v1/stores/\(store)/operators/4111111111111111", token: token, json: #"{"name":"x"}"#)
            #expect(rostered.status == .unprocessableContent && rostered.fieldErrors == ["operator_id"])
            let incident = try await api.openIncident(token: token, terminal: 1)
            for (query, field) in [
                ("description=card%204111%201111%201111%201111", "description"),
                (
                    "collected_by=%EF%BC%94%EF%BC%91%EF%BC%91%EF%BC%91" + String(repeating: "1", count: 12),
                    "collected_by"
                ),
            ] {
                let uploaded = try await api.upload(
                    Array("x".utf8), to: incident, query: query, type: "text/plain", token: token)
                #expect(uploaded.status == .unprocessableContent && uploaded.fieldErrors == [field], "\(uploaded.text)")
                #expect(!uploaded.text.contains("4111"))
            }
            // A file's name is not the uploader's choice (a phone names photos by their time, which may pass the Luhn
            // check): one that reads as card data is kept as `evidence` with its extension.
            for (name, kept) in [("4111111111111111.txt", "evidence.txt"), ("IMG_20240301_080022.jpg", "evidence.jpg")]
            {
                let uploaded = try await api.upload(
                    Array("x".utf8), to: incident, query: "file_name=\(name)", type: "text/plain", token: token)
                #expect(uploaded.status == .created && uploaded.string("file_name") == kept, "\(uploaded.text)")
            }
            let kept = try await api.call(.get, "/api/v1/incidents/\(incident)/evidence", token: token)
            #expect(kept.status == .ok && !kept.text.contains("4111") && !kept.text.contains("20240301"))
            let roster = try await api.call(.get, "/api/v1/stores/\(store)/operators", token: token)
            #expect(!roster.text.contains("4111"))
            let after = try await api.call(.get, "/api/v1/terminals/\(id)", token: token)
            #expect(
                after.string("state") == "active" && after.string("app_version") == terminal["app_version"] as? String)
        }
    }

    @Test func emailsArePrintableASCIIAndCompareWithoutCaseOrSpace() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@kiez-baeckerei.demo")
            let store = try #require(try await api.all("/api/v1/stores", token: admin).first?["id"] as? String)
            let password = "a-long-enough-passphrase-7"
            func create(_ email: String) async throws -> APIHarness.Reply {
                try await api.call(
                    .post, "/api/v1/users", token: admin,
                    json:
                        #"{"email":"\#(email)","name":"Jürgen","role":"store_operator","password":"\#(password)","store_id":"\#(store)"}"#
                )
            }
            // Letters of other scripts, fullwidth forms and invisible joiners all look like someone else.
            for lookalike in [
                "j\u{00FC}rgen@kiez-baeckerei.demo", "\u{0430}dmin@harbour.demo", "\u{FF41}dmin@harbour.demo",
                "admin\u{3164}@harbour.demo", "adm\u{034F}in@harbour.demo", "admin@harbour.demo\u{200D}",
            ] {
                let reply = try await create(lookalike)
                #expect(reply.status == .unprocessableContent && reply.fieldErrors == ["email"], "\(lookalike)")
            }
            let created = try await create(" Juergen@Kiez-Baeckerei.demo ")
            #expect(created.status == .created && created.string("email") == "juergen@kiez-baeckerei.demo")
            #expect(try await create("JUERGEN@kiez-baeckerei.demo").status == .conflict)
            let signIn = try await api.call(
                .post, "/api/v1/session", json: #"{"email":"JUERGEN@kiez-baeckerei.demo","password":"\#(password)"}"#)
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
