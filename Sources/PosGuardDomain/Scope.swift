import Foundation

/// The part of the organisation tree a caller may see: their own subtree. Every read and write of tenant
/// data is filtered by one; anything outside it behaves exactly as if it did not exist.
public enum Scope: Sendable, Hashable {
    case provider(UUID)
    case merchant(provider: UUID, merchant: UUID)
    case store(provider: UUID, merchant: UUID, store: UUID)
    /// Sees no part of the tree: only what is explicitly shared (police liaison and cases).
    case nothing(provider: UUID)

    public var providerID: UUID {
        switch self {
        case .provider(let p), .merchant(let p, _), .store(let p, _, _), .nothing(let p): p
        }
    }

    public var merchantID: UUID? {
        switch self {
        case .merchant(_, let m), .store(_, let m, _): m
        case .provider, .nothing: nil
        }
    }

    public var storeID: UUID? {
        if case .store(_, _, let s) = self { return s }
        return nil
    }

    /// Whether a thing placed at this position of the tree is inside the scope.
    public func contains(provider: UUID, merchant: UUID? = nil, store: UUID? = nil) -> Bool {
        switch self {
        case .nothing: return false
        case .provider(let p): return p == provider
        case .merchant(let p, let m): return p == provider && merchant == m
        case .store(let p, let m, let s): return p == provider && merchant == m && store == s
        }
    }

    /// The scope of a user of `role` attached at the given position.
    public static func of(role: Role, provider: UUID, merchant: UUID?, store: UUID?) -> Scope {
        guard role.readsOrganisation else { return .nothing(provider: provider) }
        switch (role.level, merchant, store) {
        case (.store, .some(let m), .some(let s)): return .store(provider: provider, merchant: m, store: s)
        case (.merchant, .some(let m), _): return .merchant(provider: provider, merchant: m)
        case (.provider, _, _): return .provider(provider)
        default: return .nothing(provider: provider)
        }
    }
}
