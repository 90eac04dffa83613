/// The rules a new password must meet: long enough, not a known common password, not built on the
/// account's own email address.
public struct PasswordPolicy: Sendable {
    public static let minimumLength = 12
    public static let maximumLength = 128

    /// Lower-cased common passwords to refuse.
    let common: Set<String>

    public init(commonPasswords: some Sequence<String>) {
        common = Set(commonPasswords.map { $0.lowercased() })
    }

    /// Every reason the password is refused, or an empty list when it is acceptable.
    public func problems(password: String, email: String) -> [String] {
        var problems: [String] = []
        // Code points, as the OpenAPI document's minLength and maxLength count them.
        let length = password.unicodeScalars.count
        if length < Self.minimumLength {
            problems.append("must be at least \(Self.minimumLength) characters")
        }
        if length > Self.maximumLength {
            problems.append("must be at most \(Self.maximumLength) characters")
        }
        let lowered = password.lowercased()
        if common.contains(lowered) {
            problems.append("is a commonly used password")
        }
        let email = email.lowercased()
        let localPart = email.split(separator: "@").first.map(String.init) ?? email
        if !email.isEmpty && (lowered.contains(email) || (localPart.count >= 3 && lowered.contains(localPart))) {
            problems.append("must not contain the email address")
        }
        if Set(password).count < 4 {
            problems.append("must use at least 4 different characters")
        }
        return problems
    }
}
