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
            let enrolment = try await api.call(.post, "/api/v1/me/totp", token: token)
            #expect(enrolment.status == .created)
            let uri = try #require(enrolment.string("otpauth_uri"))
            let secret = try #require(enrolment.string("secret"))
            #expect(uri == "otpauth://totp/PosGuard:admin@lotus-tea.demo?secret=\(secret)&issuer=PosGuard")
            let wrong = try await api.call(.post, "/api/v1/me/totp/confirm", token: token, json: #"{"totp":"000000"}"#)
            #expect(wrong.status == .unprocessableContent && wrong.fieldErrors == ["totp"])
            #expect(try await api.call(.get, "/api/v1/me", token: token).object["totp_enabled"] as? Bool == false)
        }
    }
}
