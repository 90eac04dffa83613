/// Unlocking a terminal that is locked and offline: the terminal shows a challenge, the store reads it to the
/// provider over the phone, and PosGuard answers with a code the terminal checks against its own copy of
/// the terminal's unlock secret (handed over at enrollment). The code fits only that challenge, and only for
/// ten minutes; the terminal draws a new challenge after each use, so a code works once.
public enum UnlockCode {
    /// Codes are computed for ten-minute windows; the previous window is also accepted.
    public static let window: Int64 = 600

    /// A challenge as the terminal shows it: 8 digits.
    public static func isValidChallenge(_ challenge: String) -> Bool {
        challenge.count == 8 && challenge.allSatisfy(\.isASCIIDigit)
    }

    /// The window number of a unix time.
    public static func window(at unixSeconds: Int64) -> Int64 { unixSeconds / window }

    /// The message both sides authenticate: terminal, challenge and window.
    public static func message(terminal: String, challenge: String, window: Int64) -> [UInt8] {
        Array("posguard-unlock|\(terminal.lowercased())|\(challenge)|\(window)".utf8)
    }

    /// Eight digits from a MAC over `message` (dynamic truncation as in RFC 4226).
    public static func digits(fromMAC mac: [UInt8]) -> String {
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let value =
            (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        let code = String(value % 100_000_000)
        return String(repeating: "0", count: 8 - code.count) + code
    }
}
