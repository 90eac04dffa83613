import Foundation
import PosGuardDomain

/// Attempts at a user's secrets (password, TOTP code), per account and per source address, kept in memory
/// by this instance.
///
/// An attempt is counted as failed the moment it is admitted, before its secret is checked, and taken back
/// only when the check succeeds: simultaneous guesses cannot all slip through the gap between the check and
/// the count, because the actor admits them one at a time.
///
/// The address limit stops one source from spraying guesses over many accounts. So that an attacker
/// behind an office's or a proxy's address cannot lock out everyone behind it, an account that signed in
/// successfully from an address in the last 30 days is not held back by that address's limit — only by
/// its own.
public actor LoginAttempts {
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

    private var accounts: [String: LoginThrottle] = [:]
    private var addresses: [String: LoginThrottle] = [:]
    /// When each account last proved its secrets from each address.
    private var known: [Pair: Date] = [:]

    struct Pair: Hashable {
        var account: String
        var address: String
    }

    public init() {}

    /// Counts an attempt at the account from the address, or answers how many seconds it must wait first.
    public func admit(account: String, address: String?, at now: Date) -> Result<Admission, Throttled> {
        let source = address
        let address = address.flatMap { isKnown(account, at: $0, now: now) ? nil : $0 }
        let byAccount = accounts[account]?.wait(at: now, limits: .account) ?? 0
        let byAddress = address.flatMap { addresses[$0] }?.wait(at: now, limits: .address) ?? 0
        let wait = max(byAccount, byAddress)
        if wait > 0 { return .failure(Throttled(seconds: Int(wait.rounded(.up)))) }
        accounts[account, default: LoginThrottle()].recordFailure(at: now, limits: .account)
        if let address { addresses[address, default: LoginThrottle()].recordFailure(at: now, limits: .address) }
        if accounts.count + addresses.count > 10_000 {
            accounts = accounts.filter { !$0.value.isStale(at: now, limits: .account) }
            addresses = addresses.filter { !$0.value.isStale(at: now, limits: .address) }
        }
        return .success(Admission(account: account, address: address, source: source, at: now))
    }

    /// The secret was right: the account's record is cleared, the address gets its attempt back, and the
    /// account is known at the address from now on.
    public func succeeded(_ admission: Admission) {
        accounts[admission.account] = nil
        if let address = admission.address { addresses[address]?.forgiveOne() }
        if let source = admission.source {
            known[Pair(account: admission.account, address: source)] = admission.at
            if known.count > 100_000 {
                known = known.filter { admission.at.timeIntervalSince($0.value) < Self.knownFor }
            }
        }
    }

    /// The attempt turned out not to be a guess (a right password sent without the code it also needs): it
    /// is taken back, and nothing else — the account keeps its earlier failures and the address stays unknown,
    /// so asking for the code cannot be used to wipe a run of wrong codes.
    public func withdraw(_ admission: Admission) {
        accounts[admission.account]?.forgiveOne()
        if let address = admission.address { addresses[address]?.forgiveOne() }
    }

    private func isKnown(_ account: String, at address: String, now: Date) -> Bool {
        known[Pair(account: account, address: address)].map { now.timeIntervalSince($0) < Self.knownFor } ?? false
    }

    public struct Throttled: Error, Sendable {
        public var seconds: Int
    }
}
