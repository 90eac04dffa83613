import Crypto
import Foundation
import PosGuardDomain
import PosGuardStorage
import Synchronization

/// Checks the signature on every agent request after enrollment, as the agent protocol specifies:
/// `PosGuard-Terminal`, `PosGuard-Timestamp` (unix seconds, at most 300 s off) and `PosGuard-Signature`
/// (base64 of the raw r‖s ECDSA P-256 SHA-256 signature over `METHOD\nPATH\nTIMESTAMP\nBODY`, with
/// s ≤ n/2). A message already accepted from the terminal within the time window is a replay and is
/// refused, however its signature is encoded: the guard remembers what was signed, not the signature.
public final class AgentVerifier: Sendable {
    public static let clockSkew: TimeInterval = 300

    public struct Verified: Sendable {
        public var terminal: Terminal
        /// What the replay guard remembers of the request.
        var replayKey: ReplayKey
    }

    struct Entry: Sendable {
        var identity: AgentRepository.Identity
        /// The enrolled key, parsed once; nil if what is stored does not parse (nothing then verifies).
        var key: PublicKey?
    }

    /// swift-crypto does not mark its key type `Sendable`, but a public key is an immutable value that
    /// verification only reads (BoringSSL's verification takes the key `const`), so sharing it is safe.
    struct PublicKey: @unchecked Sendable {
        let key: P256.Signing.PublicKey
    }

    let runtime: Runtime
    /// Each terminal's identity, read on first use and dropped when the terminal changes.
    private let identities = HeldFacts<[UUID: Entry]>([:])
    /// Terminals first heard from at once (after a start) are looked up together.
    private let loader: GroupCommit<UUID, AgentRepository.Identity?>
    private let seen = Mutex(ReplayWindow())

    public init(runtime: Runtime) {
        self.runtime = runtime
        loader = GroupCommit(database: runtime.database) { [secrets = runtime.secrets] ids, db in
            let found = try await AgentRepository(secrets: secrets).identities(terminals: ids, on: db)
            return ids.map { found[$0] }
        }
        runtime.database.changes.listen { [weak self] change in
            switch change {
            case .terminal(let id): self?.identities.forget { $0[id] = nil }
            case .everything: self?.identities.forget { $0 = [:] }
            case .merchant, .store: break
            }
        }
    }

    /// The message a terminal signs.
    public static func message(method: String, path: String, timestamp: String, body: some Collection<UInt8>) -> Data {
        var data = Data("\(method)\n\(path)\n\(timestamp)\n".utf8)
        data.append(contentsOf: body)
        return data
    }

    public func verify(
        terminal: String?, timestamp: String?, signature: String?, method: String, path: String, body: [UInt8]
    ) async throws -> Verified {
        guard let terminal, let timestamp, let signature else {
            throw ServiceError.unauthenticated(
                "agent requests must carry PosGuard-Terminal, PosGuard-Timestamp and PosGuard-Signature")
        }
        guard let id = UUID(text: terminal) else {
            throw ServiceError.unauthenticated("PosGuard-Terminal must be a UUID")
        }
        let now = runtime.now()
        guard let seconds = Int64(timestamp), abs(Double(seconds) - now.timeIntervalSince1970) <= Self.clockSkew else {
            throw ServiceError.unauthenticated(
                "PosGuard-Timestamp must be unix seconds within 300 s of the server's clock")
        }
        guard let raw = Data(base64Encoded: signature), raw.count == 64,
            let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: raw)
        else { throw ServiceError.unauthenticated("PosGuard-Signature must be the base64 of a 64-byte r‖s signature") }
        guard LowS.isLow(raw) else {
            throw ServiceError.unauthenticated(
                "PosGuard-Signature must be low-s (s ≤ n/2): replace a high s by n − s before sending")
        }
        let entry = try await entry(for: id)
        // One digest of the message: for the signature and for the replay guard.
        let digest = SHA256.hash(data: Self.message(method: method, path: path, timestamp: timestamp, body: body))
        guard let key = entry.key?.key, key.isValidSignature(parsed, for: digest) else {
            throw ServiceError.unauthenticated("the signature does not match the terminal's enrolled key")
        }
        guard entry.identity.terminal.state != .retired else {
            throw ServiceError.forbidden("the terminal is retired")
        }
        let replayKey = Self.replayKey(terminal: id, digest: digest)
        try remember(replayKey, now: now)
        return Verified(terminal: entry.identity.terminal, replayKey: replayKey)
    }

    /// The store of the enrolled terminal a request names, if it names one: where its requests are judged.
    public func store(of terminal: String?) async throws -> UUID? {
        guard let id = terminal.flatMap({ UUID(text: $0) }) else { return nil }
        return try? await entry(for: id).identity.terminal.storeID
    }

    private func entry(for id: UUID) async throws -> Entry {
        if let cached = identities.read({ $0[id] }) { return cached }
        let generation = identities.generation
        guard let identity = try await loader.run(id) else {
            throw ServiceError.unauthenticated("the terminal is not enrolled")
        }
        let key = Data(base64Encoded: identity.publicKey).flatMap {
            try? P256.Signing.PublicKey(x963Representation: $0)
        }
        let entry = Entry(identity: identity, key: key.map(PublicKey.init))
        identities.keep(readSince: generation) { $0[id] = entry }
        return entry
    }

    /// What makes a request unique: the terminal and the digest it signed. Keyed by the signature instead,
    /// a second valid signature over the same bytes (a fresh one, or a re-encoded one) would pass again.
    static func replayKey(terminal: UUID, digest: SHA256.Digest) -> ReplayKey {
        var hash = SHA256()
        withUnsafeBytes(of: terminal.uuid) { hash.update(bufferPointer: $0) }
        digest.withUnsafeBytes { hash.update(bufferPointer: $0) }
        return hash.finalize().withUnsafeBytes {
            ReplayKey(
                high: $0.loadUnaligned(as: UInt64.self), low: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }

    /// Refuses a signed message seen before within the window.
    private func remember(_ key: ReplayKey, now: Date) throws {
        guard seen.withLock({ $0.insert(key, at: now) }) else {
            throw ServiceError.conflict(field: nil, message: "this signed request was already received: a replay")
        }
    }
}

extension AgentVerifier {
    /// Forgets a verified request that changed nothing (its terminal's detection moved to another instance
    /// before it was stored), so that the agent may send the very same request again.
    public func forget(_ verified: Verified) { seen.withLock { $0.remove(verified.replayKey) } }
}

/// What the replay guard remembers of a signed request: 128 bits of SHA-256 over its terminal and the digest it
/// signed. Sixteen bytes kept in the set's own storage, 22–43 bytes of memory each with the set's room as it
/// fills (34 measured over two million); as `Data` the terminal and the digest took 193, and at 10,000 signed
/// requests/s the guard keeps six to twelve million (see `ReplayWindow`).
/// Two requests are taken for each other only if 128 bits of SHA-256 collide.
struct ReplayKey: Hashable, Sendable {
    var high: UInt64
    var low: UInt64
}

/// The signed messages accepted recently (by `AgentVerifier.replayKey`), in two generations that rotate
/// every `span` seconds: a message is remembered for at least `span` and at most twice that, at constant
/// cost per request. With `span` equal to the whole validity of a timestamp (±300 s), no replay that could
/// pass the clock check is forgotten.
struct ReplayWindow {
    static let span = 2 * AgentVerifier.clockSkew

    private var current = Set<ReplayKey>()
    private var previous = Set<ReplayKey>()
    private var rotatedAt = Date.distantPast

    /// Remembers the key; false when it was already known.
    mutating func insert(_ key: ReplayKey, at now: Date) -> Bool {
        if now.timeIntervalSince(rotatedAt) >= Self.span {
            previous = now.timeIntervalSince(rotatedAt) >= 2 * Self.span ? [] : current
            current = []
            rotatedAt = now
        }
        guard !previous.contains(key) else { return false }
        return current.insert(key).inserted
    }

    mutating func remove(_ key: ReplayKey) {
        current.remove(key)
        previous.remove(key)
    }
}
