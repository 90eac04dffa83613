import Foundation
import PosGuardDomain
import Testing

@Suite("Password policy and sign-in throttling")
struct PasswordAndLoginTests {
    let policy = PasswordPolicy(commonPasswords: ["password1234", "Qwertyuiop12"])

    @Test func acceptsALongUncommonPassword() {
        #expect(policy.problems(password: "lighthouse-keeper-42", email: "hana@harbour.example").isEmpty)
    }

    @Test func refusesShortCommonAndEmailBasedPasswords() {
        #expect(policy.problems(password: "short1!", email: "a@b.example") == ["must be at least 12 characters"])
        #expect(policy.problems(password: "PASSWORD1234", email: "a@b.example") == ["is a commonly used password"])
        #expect(policy.problems(password: "qwertyuiop12", email: "a@b.example") == ["is a commonly used password"])
        #expect(
            policy.problems(password: "hana.lindqvist-2026", email: "hana.lindqvist@harbour.example")
                == ["must not contain the email address"])
        #expect(
            policy.problems(password: "aaaaaaaaaaaaaaa", email: "x@y.example") == [
                "must use at least 4 different characters"
            ])
    }

    @Test func lengthCountsCodePointsAsTheAPIDocumentDoes() {
        // Six letters with combining accents: 12 code points, 6 characters on screen.
        let accented = String(repeating: "e\u{0301}", count: 3) + String(repeating: "a\u{0300}", count: 3)
        #expect(!policy.problems(password: accented, email: "x@y.example").contains("must be at least 12 characters"))
        // 104 characters on screen, 130 code points.
        let long = String(repeating: "e\u{0301}ab1", count: 26)
        #expect(policy.problems(password: long, email: "x@y.example") == ["must be at most 128 characters"])
    }

    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func freeFailuresThenDoublingWaits() {
        var throttle = LoginThrottle()
        let limits = LoginThrottle.Limits.account
        for i in 0..<5 {
            #expect(throttle.wait(at: start, limits: limits) == 0, "failure \(i) is still free")
            throttle.recordFailure(at: start, limits: limits)
        }
        #expect(throttle.wait(at: start, limits: limits) == 1)
        throttle.recordFailure(at: start, limits: limits)
        #expect(throttle.wait(at: start, limits: limits) == 2)
        throttle.recordFailure(at: start, limits: limits)
        #expect(throttle.wait(at: start, limits: limits) == 4)
        #expect(throttle.wait(at: start.addingTimeInterval(4), limits: limits) == 0)
    }

    @Test func waitsAreCappedAndForgottenAfterTheWindow() {
        var throttle = LoginThrottle()
        let limits = LoginThrottle.Limits.account
        for _ in 0..<40 { throttle.recordFailure(at: start, limits: limits) }
        #expect(throttle.wait(at: start, limits: limits) == limits.maximumDelay)
        #expect(throttle.wait(at: start.addingTimeInterval(limits.window), limits: limits) == 0)
        throttle.recordFailure(at: start.addingTimeInterval(limits.window + 1), limits: limits)
        #expect(throttle.failures == 1)
    }
}
