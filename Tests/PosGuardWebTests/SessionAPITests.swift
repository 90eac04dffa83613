import Foundation
import HTTPTypes
import PosGuardTestSupport
import Testing

@Suite("Session API")
struct SessionAPITests {
    @Test func signInUseTheTokenAndSignOut() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("manager.munich@kiez-baeckerei.demo")
            let me = try await api.call(.get, "/api/v1/me", token: token)
            #expect(me.status == .ok && me.string("email") == "manager.munich@kiez-baeckerei.demo")
            #expect(me.string("role") == "store_manager" && me.object["password_hash"] == nil)

            #expect(try await api.call(.delete, "/api/v1/session", token: token).status == .noContent)
            let after = try await api.call(.get, "/api/v1/me", token: token)
            #expect(after.status == .unauthorized && after.problemType == "urn:posguard:problem:unauthenticated")
            #expect(
                after.headers[.contentType] == "application/problem+json" && after.headers[.wwwAuthenticate] == "Bearer"
            )
        }
    }

    @Test func missingOrForgedTokensAreRefused() async throws {
        try await APIHarness.run { api async throws in
            #expect(try await api.call(.get, "/api/v1/terminals").status == .unauthorized)
            #expect(try await api.call(.get, "/api/v1/terminals", token: "forged-token").status == .unauthorized)
        }
    }

    @Test func wrongPasswordsAreThrottledWithRetryAfter() async throws {
        try await APIHarness.run { api async throws in
            let body = #"{"email":"admin@harbour.demo","password":"not-the-password-1"}"#
            for _ in 0..<5 { #expect(try await api.call(.post, "/api/v1/session", json: body).status == .unauthorized) }
            let throttled = try await api.call(.post, "/api/v1/session", json: body)
            #expect(throttled.status == .tooManyRequests && throttled.headers[.retryAfter] == "1")
        }
    }

    @Test func totpEnrolmentOverTheAPI() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@lotus-tea.demo")
            let password = api.tenant.login("admin@lotus-tea.demo").password
            let enrolment = try await api.call(
                .post, "/api/v1/me/totp", token: token, json: #"{"password":"\#(password)"}"#)
            #expect(enrolment.status == .created)
            let uri = try #require(enrolment.string("otpauth_uri"))
            let secret = try #require(enrolment.string("secret"))
            #expect(uri == "otpauth://totp/PosGuard:admin@lotus-tea.demo?secret=\(secret)&issuer=PosGuard")
            let wrong = try await api.call(.post, "/api/v1/me/totp/confirm", token: token, json: #"{"totp":"000000"}"#)
            #expect(wrong.status == .unprocessableContent && wrong.fieldErrors == ["totp"])
            #expect(try await api.call(.get, "/api/v1/me", token: token).object["totp_enabled"] as? Bool == false)
        }
    }

    @Test func usersChangeTheirOwnPasswordWithTheCurrentOne() async throws {
        try await APIHarness.run { api async throws in
            let email = "manager.berlin@kiez-baeckerei.demo"
            let password = api.tenant.login(email).password
            let token = try await api.token(email)
            let other = try await api.token(email)
            for body in [
                #"{"current_password":"not-the-password-1","new_password":"a-much-better-secret-77"}"#,
                #"{"current_password":"\#(password)","new_password":"short"}"#,
                #"{"current_password":"\#(password)"}"#,
                #"{"current_password":"\#(password)","new_password":"a-much-better-secret-77","extra":1}"#,
            ] {
                let refused = try await api.call(.post, "/api/v1/me/password", token: token, json: body)
                #expect([.unprocessableContent, .badRequest].contains(refused.status), "\(body): \(refused.text)")
            }
            let changed = try await api.call(
                .post, "/api/v1/me/password", token: token,
                json: #"{"current_password":"\#(password)","new_password":"a-much-better-secret-77"}"#)
            #expect(changed.status == .noContent, "\(changed.text)")
            // This session goes on; the other one ended; only the new password signs in.
            #expect(try await api.call(.get, "/api/v1/me", token: token).status == .ok)
            #expect(try await api.call(.get, "/api/v1/me", token: other).status == .unauthorized)
            let old = try await api.call(
                .post, "/api/v1/session", json: #"{"email":"\#(email)","password":"\#(password)"}"#)
            #expect(old.status == .unauthorized)
            let new = try await api.call(
                .post, "/api/v1/session", json: #"{"email":"\#(email)","password":"a-much-better-secret-77"}"#)
            #expect(new.status == .created)
            let audit = try await api.all("/api/v1/audit", token: try await api.token("admin@harbour.demo"))
            #expect(audit.filter { ($0["action"] as? String) == "user.password_changed" }.count == 1)
        }
    }

    @Test func aSessionAloneCannotTakeOverTheSecondFactor() async throws {
        try await APIHarness.run { api async throws in
            let email = "admin@lotus-tea.demo"
            let password = api.tenant.login(email).password
            let token = try await api.token(email)
            let secret = try await api.enableTOTP(email, token: token)
            api.tenant.clock.advance(16 * 60)

            // Someone holding only this session (and even the password) cannot replace or remove the factor.
            for (method, body) in [
                (HTTPRequest.Method.post, #"{}"#), (.post, #"{"password":"\#(password)"}"#),
                (.post, #"{"password":"wrong-password-123","totp":"\#(api.code(secret))"}"#),
                (.delete, #"{"password":"\#(password)"}"#), (.delete, #"{"password":"\#(password)","totp":"000000"}"#),
            ] {
                let reply = try await api.call(method, "/api/v1/me/totp", token: token, json: body)
                #expect(reply.status == .unprocessableContent, "\(method) \(body): \(reply.text)")
            }
            // The owner's authenticator still signs in.
            let owner = try await api.call(
                .post, "/api/v1/session",
                json: #"{"email":"\#(email)","password":"\#(password)","totp":"\#(api.code(secret))"}"#)
            #expect(owner.status == .created)
            let audit = try await api.all("/api/v1/audit", token: try await api.token("admin@harbour.demo"))
            #expect(!audit.contains { ($0["action"] as? String) == "user.totp_replaced" })
        }
    }

    @Test func replacingTheFactorNeedsPasswordAndCurrentCodeEndsOtherSessionsAndIsAudited() async throws {
        try await APIHarness.run { api async throws in
            let email = "admin@lotus-tea.demo"
            let password = api.tenant.login(email).password
            let token = try await api.token(email)
            let old = try await api.enableTOTP(email, token: token)
            let other = try await api.call(
                .post, "/api/v1/session",
                json: #"{"email":"\#(email)","password":"\#(password)","totp":"\#(api.code(old))"}"#)
            let otherToken = try #require(other.string("token"))
            api.tenant.clock.advance(30)

            let enrolment = try await api.call(
                .post, "/api/v1/me/totp", token: token,
                json: #"{"password":"\#(password)","totp":"\#(api.code(old))"}"#)
            #expect(enrolment.status == .created)
            let new = Base32.decode(try #require(enrolment.string("secret")))
            #expect(
                try await api.call(
                    .post, "/api/v1/me/totp/confirm", token: token, json: #"{"totp":"\#(api.code(new))"}"#
                ).status == .noContent)
            #expect(try await api.call(.get, "/api/v1/me", token: token).status == .ok)
            #expect(try await api.call(.get, "/api/v1/me", token: otherToken).status == .unauthorized)
            api.tenant.clock.advance(30)
            let withOld = try await api.call(
                .post, "/api/v1/session",
                json: #"{"email":"\#(email)","password":"\#(password)","totp":"\#(api.code(old))"}"#)
            #expect(withOld.status == .unauthorized)

            // Removing it needs both as well; then the password alone signs in again.
            api.tenant.clock.advance(30)
            #expect(
                try await api.call(
                    .delete, "/api/v1/me/totp", token: token,
                    json: #"{"password":"\#(password)","totp":"\#(api.code(new))"}"#
                ).status == .noContent)
            #expect(try await api.call(.get, "/api/v1/me", token: token).object["totp_enabled"] as? Bool == false)
            _ = try await api.token(email)
            let actions = try await api.all("/api/v1/audit", token: try await api.token("admin@harbour.demo"))
                .compactMap { $0["action"] as? String }
            #expect(actions.contains("user.totp_replaced") && actions.contains("user.totp_removed"))
        }
    }

    @Test func verifyingACodeInASessionIsThrottledAndEachCodeWorksOnce() async throws {
        try await APIHarness.run { api async throws in
            let email = "admin@lotus-tea.demo"
            let token = try await api.token(email)
            let secret = try await api.enableTOTP(email, token: token)
            let wrong = String(format: "%06d", (Int(api.code(secret))! + 1) % 1_000_000)
            for attempt in 0..<5 {
                if attempt == 4 {
                    // Asking for the code (none sent) neither counts nor wipes the wrong guesses before it.
                    let empty = try await api.call(.post, "/api/v1/session/totp", token: token, json: #"{"totp":""}"#)
                    #expect(empty.status == .unprocessableContent)
                }
                let reply = try await api.call(
                    .post, "/api/v1/session/totp", token: token, json: #"{"totp":"\#(wrong)"}"#)
                #expect(reply.status == .unprocessableContent)
            }
            // Guessing stops: even the right code now waits.
            let throttled = try await api.call(
                .post, "/api/v1/session/totp", token: token, json: #"{"totp":"\#(api.code(secret))"}"#)
            #expect(throttled.status == .tooManyRequests && throttled.headers[.retryAfter] == "1")
            api.tenant.clock.advance(1)
            let right = #"{"totp":"\#(api.code(secret))"}"#
            #expect(try await api.call(.post, "/api/v1/session/totp", token: token, json: right).status == .noContent)
            let again = try await api.call(.post, "/api/v1/session/totp", token: token, json: right)
            #expect(again.status == .unprocessableContent && again.text.contains("already used"))
        }
    }
}

@Suite("Response headers")
struct ResponseHeaderTests {
    @Test func answersCarryingTokensOrSecretsAreNeverCachedAndNothingIsSniffed() async throws {
        try await APIHarness.run { api async throws in
            let email = "admin@lotus-tea.demo"
            let password = api.tenant.login(email).password
            let signIn = try await api.call(
                .post, "/api/v1/session", json: #"{"email":"\#(email)","password":"\#(password)"}"#)
            #expect(signIn.status == .created && signIn.headers[.cacheControl] == "no-store")
            let token = try #require(signIn.string("token"))
            let enrolment = try await api.call(
                .post, "/api/v1/me/totp", token: token, json: #"{"password":"\#(password)"}"#)
            #expect(enrolment.status == .created && enrolment.headers[.cacheControl] == "no-store")
            for reply in [
                signIn, enrolment, try await api.call(.get, "/healthz"), try await api.call(.get, "/nowhere"),
            ] {
                #expect(reply.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            }
        }
    }
}
