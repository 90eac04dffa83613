import Foundation
import HummingbirdOTP
import PosGuardDomain

/// RFC 6238 time-based one-time codes: six digits, 30-second steps, one step of clock skew allowed.
public enum TOTPCode {
    /// A new shared secret: 20 random letters and digits (about 119 bits), used as the HMAC key.
    public static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var random = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet.randomElement(using: &random)! })
    }

    /// The six-digit code for `date`, zero-padded.
    public static func code(secret: String, at date: Date) -> String {
        let value = TOTP(secret: secret).compute(date: date)
        let digits = String(value)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The time step (unix seconds / 30) at which `code` is right — at `date` or one step either side of
    /// it — or nil when it is not right. Callers spend the step so that each code works once.
    public static func step(of code: String, secret: String, at date: Date) -> Int64? {
        let code = code.trimmingCharacters(in: .whitespaces)
        guard code.count == 6, code.allSatisfy(\.isASCIIDigit) else { return nil }
        let now = Int64(date.timeIntervalSince1970) / 30
        return [now - 1, now, now + 1].first {
            self.code(secret: secret, at: Date(timeIntervalSince1970: Double($0 * 30))) == code
        }
    }

    /// The `otpauth://` URI an authenticator app reads from a QR code.
    public static func provisioningURI(secret: String, account: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: "PosGuard:\(account)", issuer: "PosGuard")
    }
}
