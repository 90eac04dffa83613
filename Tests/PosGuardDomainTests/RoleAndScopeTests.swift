import Foundation
import PosGuardDomain
import Testing

@Suite("Roles and scopes")
struct RoleAndScopeTests {
    let provider = UUID()
    let merchant = UUID()
    let store = UUID()

    @Test func eachRoleSeesItsOwnSubtree() {
        let admin = Scope.of(role: .providerAdmin, provider: provider, merchant: nil, store: nil)
        let merchantAdmin = Scope.of(role: .merchantAdmin, provider: provider, merchant: merchant, store: nil)
        let manager = Scope.of(role: .storeManager, provider: provider, merchant: merchant, store: store)
        #expect(admin.contains(provider: provider, merchant: UUID(), store: UUID()))
        #expect(!admin.contains(provider: UUID()))
        #expect(merchantAdmin.contains(provider: provider, merchant: merchant, store: UUID()))
        #expect(!merchantAdmin.contains(provider: provider, merchant: UUID(), store: store))
        #expect(manager.contains(provider: provider, merchant: merchant, store: store))
        #expect(!manager.contains(provider: provider, merchant: merchant, store: UUID()))
    }

    @Test func policeLiaisonSeesNoPartOfTheTree() {
        let scope = Scope.of(role: .policeLiaison, provider: provider, merchant: nil, store: nil)
        #expect(scope == .nothing(provider: provider))
        #expect(!scope.contains(provider: provider))
    }

    @Test func aStoreRoleWithoutAStoreSeesNothing() {
        #expect(
            Scope.of(role: .storeOperator, provider: provider, merchant: merchant, store: nil)
                == .nothing(provider: provider))
    }

    @Test func adminsGrantOnlyRolesBelowThem() {
        #expect(Role.providerAdmin.grantable == Set(Role.allCases))
        #expect(Role.merchantAdmin.grantable == [.merchantAdmin, .storeManager, .storeOperator])
        #expect(Role.storeManager.grantable == [.storeOperator])
        #expect(Role.storeOperator.grantable.isEmpty && Role.allianceAnalyst.grantable.isEmpty)
    }

    @Test func cashiersCanRaiseTheAlarmButNotLock() {
        #expect(Role.storeOperator.mayMoveTerminal(to: .suspectedStolen))
        #expect(!Role.storeOperator.mayMoveTerminal(to: .locked))
        #expect(!Role.storeManager.mayMoveTerminal(to: .retired))
        #expect(!Role.allianceAnalyst.mayMoveTerminal(to: .suspectedStolen))
    }

    @Test func destructiveMovesByAdminsNeedRecentMFA() {
        for role in [Role.providerAdmin, .merchantAdmin] {
            #expect(role.needsRecentMFA(toMoveTerminalTo: .locked))
            #expect(role.needsRecentMFA(toMoveTerminalTo: .retired))
            #expect(!role.needsRecentMFA(toMoveTerminalTo: .maintenance))
        }
        #expect(!Role.storeManager.needsRecentMFA(toMoveTerminalTo: .suspectedStolen))
    }

    @Test func userPlacementMustMatchTheRole() {
        var user = User(
            id: UUID(), providerID: provider, merchantID: nil, storeID: nil, email: "m@shop.example", name: "M",
            role: .storeManager, locale: .en, disabled: false, totpEnabled: false, createdAt: Date())
        #expect(throws: ValidationFailure([FieldError("store_id", "is required for store_manager")])) {
            try user.validatePlacement()
        }
        user.merchantID = merchant
        user.storeID = store
        #expect(throws: Never.self) { try user.validatePlacement() }
    }
}
