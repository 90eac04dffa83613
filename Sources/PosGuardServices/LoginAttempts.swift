import Foundation
import PosGuardDomain
import PosGuardStorage

/// Attempts at a user's secrets (password, TOTP code), per account and per source address, kept in the
/// database: every instance on it counts the same attempts, so several instances give an attacker no more
/// guesses than one.
///
/// An attempt is counted as failed the moment it is admitted, before its secret is checked, and taken back
/// only when the check succeeds: simultaneous guesses cannot all slip through the gap between the check and
/// the count, because their records are locked while each is admitted.
///
/// The address limit stops one source from spraying guesses over many accounts. So that an attacker
/// behind an office's or a proxy's address cannot lock out everyone behind it, an account that signed in
/// successfully from an address in the last 30 days is not held back by that address's limit — only by
/// its own.
public struct LoginAttempts: Sendable {
    /// How long a successful sign-in vouches for its account at its address.
    static let knownFor: TimeInterval = 30 * 24 * 3600

    /// An attempt that was let through and is counted until it is settled.
    public struct Admission: Sendable {
        let account: String
        /// The address whose limit counted this attempt (none for an account known there).
        let address: String?
        /// Where the attempt came from.
        let source: String?
        let at: Date
    }

    public struct Throttled: Error, Sendable {
        public var seconds: Int
    }

    let database: Database
    let records = LoginThrottleRepository()

    public init(database: Database) { self.database = database }

    /// Counts an attempt at the account from the address, or answers how many seconds it must wait first.
    public func admit(account: String, address: String?, at now: Date) async throws -> Result<Admission, Throttled> {
        try await database.transaction { db in
            var counted = address
            if let address, let known = try await records.known(account: account, address: address, on: db),
                now.timeIntervalSince(known) < Self.knownFor
            {
                counted = nil
            }
            let keys = [Self.key(account: account)] + (counted.map { [Self.key(address: $0)] } ?? [])
            var locked = try await records.lock(keys, on: db)
            let byAccount = locked[keys[0]]?.wait(at: now, limits: .account) ?? 0
            let byAddress = counted.flatMap { locked[Self.key(address: $0)] }?.wait(at: now, limits: .address) ?? 0
            let wait = max(byAccount, byAddress)
            if wait > 0 { return .failure(Throttled(seconds: Int(wait.rounded(.up)))) }
            locked[keys[0]]?.recordFailure(at: now, limits: .account)
            if let counted { locked[Self.key(address: counted)]?.recordFailure(at: now, limits: .address) }
            try await records.save(locked, on: db)
            return .success(Admission(account: account, address: counted, source: address, at: now))
        }
    }

    /// The secret was right: the account's record is cleared, the address gets its attempt back, and the
    /// account is known at the address from now on.
    public func succeeded(_ admission: Admission) async throws {
        try await database.transaction { db in
            var locked = try await records.lock(keys(of: admission), on: db)
            locked[Self.key(account: admission.account)] = LoginThrottle()
            if let address = admission.address { locked[Self.key(address: address)]?.forgiveOne() }
            try await records.save(locked, on: db)
            if let source = admission.source {
                try await records.setKnown(account: admission.account, address: source, at: admission.at, on: db)
            }
            try await records.prune(
                failures: admission.at.addingTimeInterval(
                    -max(LoginThrottle.Limits.account.window, LoginThrottle.Limits.address.window)),
                known: admission.at.addingTimeInterval(-Self.knownFor), on: db)
        }
    }

    /// The attempt turned out not to be a guess (a right password sent without the code it also needs): it
    /// is taken back, and nothing else — the account keeps its earlier failures and the address stays unknown,
    /// so asking for the code cannot be used to wipe a run of wrong codes.
    public func withdraw(_ admission: Admission) async throws {
        try await database.transaction { db in
            var locked = try await records.lock(keys(of: admission), on: db)
            for key in locked.keys { locked[key]?.forgiveOne() }
            try await records.save(locked, on: db)
        }
    }

    private func keys(of admission: Admission) -> [String] {
        [Self.key(account: admission.account)] + (admission.address.map { [Self.key(address: $0)] } ?? [])
    }

    static func key(account: String) -> String { "account:" + account }
    static func key(address: String) -> String { "address:" + address }
}
