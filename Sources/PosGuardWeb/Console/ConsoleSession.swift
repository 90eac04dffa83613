import Crypto
import Foundation
import Hummingbird

/// The console's cookies: the session (the same sessions, and so the same checks, as API bearer tokens), a
/// pre-session secret for the sign-in form, and the language chosen. All `HttpOnly` and `SameSite=Strict`;
/// `Secure` when the console is served over TLS.
enum ConsoleSession {
    static let session = "posguard_session"
    static let preSession = "posguard_presession"

    static func cookie(_ name: String, _ value: String, maxAge: Int?, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    static func expired(_ name: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The CSRF token of forms shown with this secret (the session token, or the pre-session secret): derived from
    /// it, so it needs no storage, and another site, which cannot read the cookie, cannot know it.
    static func csrfToken(for secret: String) -> String {
        SHA256.hash(data: Data("posguard-console-csrf\u{0}\(secret)".utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares in time independent of where the two differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func newSecret() -> String {
        var random = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
    }
}
