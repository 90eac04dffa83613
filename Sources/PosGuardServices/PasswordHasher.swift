import Foundation
import HummingbirdBcrypt
import NIOPosix
import PosGuardDomain

/// bcrypt hashing on NIO's blocking thread pool, so a sign-in never stalls the threads serving requests.
public struct PasswordHasher: Sendable {
    /// bcrypt's work factor: 12 in production; tests lower it to stay fast.
    public let cost: UInt8
    public let policy: PasswordPolicy

    public init(cost: UInt8 = 12, policy: PasswordPolicy = .shipped) {
        self.cost = cost
        self.policy = policy
    }

    public func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Checks a new password against the policy, naming `field` in the error.
    public func check(_ password: String, email: String, field: String = "password") throws(ValidationFailure) {
        let problems = policy.problems(password: password, email: email)
        if !problems.isEmpty { throw ValidationFailure(problems.map { FieldError(field, $0) }) }
    }
}

extension PasswordPolicy {
    /// The policy with the common-password list shipped in this module's resources.
    public static let shipped: PasswordPolicy = {
        let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt")
        let text = url.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? ""
        return PasswordPolicy(commonPasswords: text.split(separator: "\n").map(String.init))
    }()
}
