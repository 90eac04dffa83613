import AsyncHTTPClient
import Foundation
import NIOCore
import PosGuardDomain
import PosGuardStorage
import Synchronization

/// Which slots of detection's memory this instance holds (see `Slots`), when several instances share one
/// PostgreSQL. Each instance says it is alive every `beat`, holds about its fair share of the slots through
/// advisory locks on a connection it keeps, lets go of slots above its share (so a new instance gets some),
/// and takes slots nobody holds — those of an instance that died are free as soon as PostgreSQL sees its
/// connection end. A slot taken is handed over cleanly: the memory of its stores and their terminals is read
/// again from the database before the first batch is judged. Batches for a slot held elsewhere are sent to
/// its holder (see `AgentRoutes`).
///
/// An instance that does not `run` this — on SQLite, or in tests — holds every slot. One that does holds
/// none until its first round, and none once it stops.
public final class SlotOwnership: Sendable {
    public struct Snapshot: Sendable {
        public var instance: String
        public var held: Int
        public var handedOver: Int
        public var forwarded: Int
        /// Whether it can judge or send on agents' requests: it holds every slot, or has taken its share.
        public var ready: Bool
        /// The slots whose holder it knows (as of its last beat).
        public var located: Int
    }

    public let instance: String
    let runtime: Runtime
    let memory: DetectionMemory
    let instances = InstanceRepository()
    private let state = Mutex(State())
    private let address = Mutex("")

    /// How often an instance says it is alive. One is dead once the session holding its locks ends (PostgreSQL
    /// sees a killed process's connection close at once), or when not heard from for three beats and more —
    /// then the others end its session, should PostgreSQL still keep it (a hung process, a machine gone).
    public static let beat: Duration = .seconds(2)
    static var deadAfter: TimeInterval { 3 * TimeInterval(beat.components.seconds) + 1 }

    private struct State {
        /// Nil while every slot is held here.
        var held: Set<Int>?
        /// Batches being judged, per slot: a slot is let go only once none is.
        var busy: [Int: Int] = [:]
        var owners: [Int: InstanceRepository.Instance] = [:]
        var handedOver = 0
        var forwarded = 0
        var rounds = 0
        /// Whether the last round went through (the slots held are really held).
        var settled = false
    }

    init(runtime: Runtime, memory: DetectionMemory) {
        self.runtime = runtime
        self.memory = memory
        instance = UUID().key
    }

    /// Where the other instances reach this one (its HTTP base URL), known once it listens.
    public func advertise(_ url: String) { address.withLock { $0 = url } }

    public var snapshot: Snapshot {
        state.withLock {
            Snapshot(
                instance: instance, held: $0.held?.count ?? Slots.count, handedOver: $0.handedOver,
                forwarded: $0.forwarded, ready: $0.held == nil || $0.settled,
                located: $0.held == nil ? Slots.count : Set($0.owners.keys).union($0.held ?? []).count)
        }
    }

    /// Where a request for `store`'s terminals is judged: here (the slot is marked busy until `done`), at
    /// the holder's base URL, or nowhere yet.
    public func route(store: UUID) -> Route {
        if let slot = enter(store: store) { return .here(slot) }
        return state.withLock { s in
            guard let owner = s.owners[Slots.slot(of: store)], owner.id != instance else { return .nobody }
            s.forwarded += 1
            return .elsewhere(owner.address)
        }
    }

    /// The slot of `store` if it is held here, marked busy until `done` (so it is not let go meanwhile).
    public func enter(store: UUID) -> Int? {
        let slot = Slots.slot(of: store)
        return state.withLock { s in
            guard s.held?.contains(slot) ?? true else { return nil }
            s.busy[slot, default: 0] += 1
            return slot
        }
    }

    public enum Route: Sendable, Equatable {
        case here(Int)
        case elsewhere(String)
        /// The slot is between holders (its holder just died or let it go): ask again shortly.
        case nobody
    }

    /// A transaction writing the detection memory of `stores` commits only if this instance still holds
    /// their slots: with the slots shared, their owner rows are read, and locked, in `db`'s transaction. An
    /// instance that lost the connection holding its locks may have batches under way; once another has
    /// taken a slot they cannot commit (`Moved`), and one taking it while they commit waits for them, then
    /// reads the memory they wrote.
    public func fence(stores: some Sequence<UUID>, on db: UnitOfWork) async throws {
        guard state.withLock({ $0.held != nil }) else { return }
        let slots = Set(stores.map(Slots.slot(of:)))
        guard try await instances.held(slots, by: instance, on: db) == slots else { throw Moved() }
    }

    /// A slot being judged here was taken by another instance: nothing was written, the agent sends again.
    public struct Moved: Error {}

    /// A batch judged here is done.
    public func done(_ slot: Int) { state.withLock { $0.busy[slot, default: 1] -= 1 } }

    /// Takes part in sharing the slots until cancelled, on a connection kept for the advisory locks; lets go
    /// of everything when it ends. Should the database fail under it, nothing is held here (the locks went
    /// with the connection) until a new connection has taken slots again. On SQLite it returns at once: one
    /// process holds everything.
    public func run() async throws {
        guard runtime.database.kind == .postgres else { return }
        state.withLock { $0.held = [] }
        defer { state.withLock { $0.held = [] } }
        while !Task.isCancelled {
            do {
                try await share()
            } catch is CancellationError {
                return
            } catch {
                state.withLock {
                    $0.held = []
                    $0.settled = false
                }
                runtime.database.logger.warning("sharing detection's slots: \(error); trying again")
                try await Task.sleep(for: Self.beat)
            }
        }
    }

    /// Beats on a connection of its own until cancelled (then lets go of the slots) or until the database
    /// fails; the connection's end releases every lock it took.
    private func share() async throws {
        try await runtime.database.withOwnConnection(deadline: Self.beat * 5) { connection in
            do {
                while !Task.isCancelled {
                    try await connection.run { db in try await self.round(on: db) }
                    try await Task.sleep(for: Self.beat)
                }
            } catch is CancellationError {}
            // Stopping: the slots go at once, once the batches under way are done — in a task of its own, as
            // this one is being cancelled.
            try await Task {
                let held = state.withLock { s -> Set<Int> in
                    defer { s.held = [] }
                    return s.held ?? []
                }
                try await idle(held)
                try await connection.run { db in
                    for slot in held { try await self.instances.release(slot: slot, for: self.instance, on: db) }
                    try await self.instances.forget(
                        self.instance, staleBefore: self.runtime.now().addingTimeInterval(-60), on: db)
                }
            }.value
            throw CancellationError()
        }
    }

    /// Returns once no batch is being judged here in any of `slots`.
    private func idle(_ slots: Set<Int>) async throws {
        while state.withLock({ s in slots.contains { (s.busy[$0] ?? 0) > 0 } }) {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// One beat: says this instance is alive, lets go of slots above its share, takes free ones up to it.
    func round(on db: UnitOfWork) async throws {
        let now = runtime.now()
        let me = InstanceRepository.Instance(id: instance, address: address.withLock { $0 })
        // Until it listens, nobody could send it anything: it takes no slot.
        guard !me.address.isEmpty else { return }
        // Alive first, then named: a session named after an instance not heard from lately is ended (`evict`).
        try await instances.heartbeat(me, at: now, on: db)
        try await instances.identify(instance, on: db)
        let since = now.addingTimeInterval(-Self.deadAfter)
        do {
            try await instances.evict(silentSince: since, on: db)
        } catch {
            // Without the right to end their sessions (PostgreSQL allows it to the same role), a hung instance's
            // slots wait for PostgreSQL to see its connection end.
            runtime.database.logger.warning("ending the session of a silent instance: \(error)")
        }
        let live = try await instances.live(since: since, on: db)
        let share = Slots.fairShare(instances: live.count)
        var held = state.withLock { $0.held ?? [] }
        for slot in held.sorted().dropFirst(share) {
            // No new batch for it starts here from now on; those under way finish before the lock goes.
            state.withLock { $0.held?.remove(slot) }
            held.remove(slot)
            try await idle([slot])
            try await instances.release(slot: slot, for: instance, on: db)
            try await instances.heartbeat(me, at: runtime.now(), on: db)
        }
        var taken: Set<Int> = []
        // Start looking at a place of this instance's own, so instances starting together try different slots.
        let start = Int(UInt(bitPattern: instance.hashValue) % UInt(Slots.count))
        for offset in 0..<Slots.count where held.count + taken.count < share {
            let slot = (start + offset) % Slots.count
            if !held.contains(slot), try await instances.take(slot: slot, for: instance, at: now, on: db) {
                taken.insert(slot)
            }
        }
        if !taken.isEmpty {
            // Letting slots go and reading memory again may take a while: it says it is alive again after.
            try await memory.reload(slots: taken)
            try await instances.heartbeat(me, at: runtime.now(), on: db)
        }
        let owners = try await instances.owners(on: db)
        state.withLock { s in
            s.held = held.union(taken)
            s.owners = owners
            if s.rounds > 0 { s.handedOver += taken.count }
            s.rounds += 1
            s.settled = true
        }
    }
}

extension SlotOwnership {
    /// What the holder of a slot answered a request sent on to it.
    public struct Answer: Sendable {
        public var status: Int
        public var contentType: String?
        public var retryAfter: String?
        public var body: [UInt8]
    }

    /// The header a request sent on to the holder carries (this instance's id), so that it is never sent on
    /// again: a holder that has just let the slot go answers 503 and the agent tries again.
    public static let forwardedHeader = "PosGuard-Forwarded-By"
    /// The address the request came from, as the instance sending it on saw it, and that instance's seal over
    /// it (see `forwardedSource`).
    public static let forwardedForHeader = "PosGuard-Forwarded-For"
    public static let forwardedSealHeader = "PosGuard-Forwarded-Seal"
    /// The agent's signature, which the seal is bound to.
    public static let signatureHeader = "PosGuard-Signature"

    /// Sends an agent's request on to the instance at `address`, as it came (its signature is checked there,
    /// where the terminal's replay guard is), with the address it came from, sealed; returns what that instance
    /// answered.
    public func forward(
        method: String, path: String, headers: [(String, String)], body: [UInt8], from source: String?,
        to address: String
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: address + path)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: Self.forwardedHeader, value: instance)
        if let source {
            let signature = request.headers.first(name: Self.signatureHeader) ?? ""
            request.headers.replaceOrAdd(name: Self.forwardedForHeader, value: source)
            request.headers.replaceOrAdd(
                name: Self.forwardedSealHeader,
                value: runtime.secrets.forwardingSeal(Self.statement(by: instance, for: source, signature: signature)))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await Self.client.execute(request, timeout: .seconds(10))
        let answer = try await response.body.collect(upTo: 4 << 20)
        return Answer(
            status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
            retryAfter: response.headers.first(name: "Retry-After"), body: Array(buffer: answer))
    }

    /// The client requests are sent on with: an instance that cannot be reached (it just died) fails the
    /// request at once — the agent is answered 503 and sends again — instead of being tried again until the
    /// deadline; redirects are not followed; as many connections to one holder as the requests need.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.connect = .seconds(1)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 128
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The address an agent's request came from, when another instance sent it on here and sealed that
    /// address under the shared master key (bound to the agent's signature, so the seal is good for that one
    /// request); nil otherwise — whatever the headers claim, from anyone else.
    public func forwardedSource(by forwarder: String?, for source: String?, seal: String?, signature: String?)
        -> String?
    {
        guard let forwarder, let source, let seal,
            runtime.secrets.isForwardingSeal(
                seal, of: Self.statement(by: forwarder, for: source, signature: signature ?? ""))
        else { return nil }
        return source
    }

    static func statement(by forwarder: String, for source: String, signature: String) -> String {
        "\(forwarder)\n\(source)\n\(signature)"
    }
}
