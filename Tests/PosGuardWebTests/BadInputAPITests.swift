import Foundation
import HTTPTypes
import PosGuardTestSupport
import Testing

@Suite("Bad input")
struct BadInputAPITests {
    @Test func everyKindOfBadInputGetsAClearProblemAndChangesNothing() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@harbour.demo")
            let before = try await api.all("/api/v1/terminals", token: token, pageSize: 100)
            let terminal = try #require(before.first { $0["state"] as? String == "active" })
            let id = try #require(terminal["id"] as? String)
            let store = try #require(terminal["store_id"] as? String)

            let malformed = try await api.call(.post, "/api/v1/terminals", token: token, json: #"{"store_id": "#)
            #expect(malformed.status == .badRequest && malformed.problemType == "urn:posguard:problem:bad-request")

            let wrongType = try await api.call(
                .post, "/api/v1/terminals", token: token,
                json: #"{"store_id":"\#(store)","make":"PAX","model":"A920","serial":"S1","tid":12345,"mid":"M"}"#)
            #expect(wrongType.status == .unprocessableContent && wrongType.fieldErrors == ["tid"])

            let missing = try await api.call(
                .post, "/api/v1/terminals/\(id)/transitions", token: token, json: #"{"to":"maintenance"}"#)
            #expect(missing.status == .unprocessableContent && missing.fieldErrors == ["reason"])

            let unknownState = try await api.call(
                .post, "/api/v1/terminals/\(id)/transitions", token: token, json: #"{"to":"vanished","reason":"x"}"#)
            #expect(unknownState.status == .unprocessableContent && unknownState.fieldErrors == ["to"])
            #expect(unknownState.string("detail")?.contains("suspected_stolen") == true)
            // Every field holding one of a few named values lists them, whatever its type.
            let unknownType = try await api.call(
                .post, "/api/v1/incidents", token: token,
                json: #"{"type":"bogus","description":"x","terminal_ids":["\#(id)"]}"#)
            #expect(unknownType.status == .unprocessableContent && unknownType.fieldErrors == ["type"])
            #expect(unknownType.string("detail")?.contains("suspected_theft") == true, "\(unknownType.text)")

            let badNested = try await api.call(
                .patch, "/api/v1/stores/\(store)", token: token,
                json: #"{"geofence":{"latitude":1,"longitude":2,"radius_m":"far"}}"#)
            #expect(badNested.status == .unprocessableContent && badNested.fieldErrors == ["geofence.radius_m"])

            // A number that does not fit its field is named, not taken for text that is not JSON.
            for amount in ["1.5", "100000000000000000000"] {
                let unfit = try await api.call(
                    .post, "/api/v1/screen", token: token,
                    json: #"{"tid":"PG000001","mid":"M","amount_minor":\#(amount),"currency":"EUR"}"#)
                #expect(unfit.status == .unprocessableContent && unfit.fieldErrors == ["amount_minor"], "\(unfit.text)")
            }
            // A name given twice: readers disagree on which counts, so neither does.
            let twice = try await api.call(
                .patch, "/api/v1/stores/\(store)", token: token, json: #"{"name":"a","name":"b"}"#)
            #expect(twice.status == .badRequest && twice.fieldErrors == ["body"], "\(twice.text)")
            // A byte order mark before the text is not part of it.
            let marked = try await api.call(
                .post, "/api/v1/terminals/\(id)/transitions", token: token,
                json: "\u{FEFF}" + #"{"to":"vanished","reason":"x"}"#)
            #expect(marked.status == .unprocessableContent && marked.fieldErrors == ["to"], "\(marked.text)")
            // A time a client names is from 1970 on (before 1582 it would be written back as another day).
            let ancient = try await api.call(
                .post, "/api/v1/screen", token: token,
                json: #"{"tid":"PG000001","mid":"M","amount_minor":1,"currency":"EUR","at":"0001-01-01T00:00:00Z"}"#)
            #expect(ancient.status == .unprocessableContent && ancient.fieldErrors == ["at"], "\(ancient.text)")
            let nullBody = try await api.call(.patch, "/api/v1/stores/\(store)", token: token, json: "null")
            #expect(nullBody.status == .unprocessableContent && nullBody.fieldErrors == ["body"], "\(nullBody.text)")

            let badHours = try await api.call(
                .patch, "/api/v1/stores/\(store)", token: token, json: #"{"business_hours":{"mon":["25:00-26:00"]}}"#)
            #expect(badHours.status == .unprocessableContent && badHours.fieldErrors == ["business_hours"])

            let invalidField = try await api.call(
                .post, "/api/v1/terminals", token: token,
                json: #"{"store_id":"\#(store)","make":"","model":"A920","serial":"S1","tid":"TOOLONG-TID","mid":"M"}"#)
            #expect(invalidField.status == .unprocessableContent && invalidField.fieldErrors == ["make", "tid"])

            let huge = String(repeating: "x", count: 2 << 20)
            let tooLarge = try await api.call(
                .patch, "/api/v1/terminals/\(id)", token: token, json: #"{"model":"\#(huge)"}"#)
            #expect(tooLarge.status == .contentTooLarge)

            #expect(try await api.call(.get, "/api/v1/terminals/not-a-uuid", token: token).status == .badRequest)
            let unknown = try await api.call(.get, "/api/v1/terminals/\(UUID().uuidString)", token: token)
            #expect(unknown.status == .notFound && unknown.problemType == "urn:posguard:problem:not-found")
            #expect(try await api.call(.get, "/api/v1/terminals?limit=0", token: token).fieldErrors == ["limit"])
            #expect(try await api.call(.get, "/api/v1/terminals?cursor=zzz", token: token).fieldErrors == ["cursor"])
            #expect(try await api.call(.get, "/api/v1/terminals?state=gone", token: token).fieldErrors == ["state"])
            #expect(try await api.call(.get, "/api/v1/nothing-here", token: token).status == .notFound)

            let after = try await api.all("/api/v1/terminals", token: token, pageSize: 100)
            #expect(after.map { $0["updated_at"] as? String } == before.map { $0["updated_at"] as? String })
            #expect(after.count == before.count)
        }
    }
}
