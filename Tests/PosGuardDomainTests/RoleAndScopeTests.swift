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
        #expect(Role.storeOperator.permission(for: .move(from: .active, to: .suspectedStolen)) == .allowed)
        #expect(Role.storeOperator.permission(for: .move(from: .active, to: .locked)) == .denied)
        #expect(Role.storeOperator.permission(for: .send(.lock)) == .denied)
        #expect(Role.storeManager.permission(for: .move(from: .active, to: .retired)) == .denied)
        #expect(Role.allianceAnalyst.permission(for: .move(from: .active, to: .suspectedStolen)) == .denied)
        #expect(Role.policeLiaison.permission(for: .send(.locate)) == .denied)
    }

    @Test func eachActionIsJudgedByWhatItDoesToTheTerminalsService() {
        #expect(TerminalAction.move(from: .inventory, to: .active).effect == .routine)
        #expect(TerminalAction.move(from: .maintenance, to: .active).effect == .routine)
        #expect(TerminalAction.send(.reboot).effect == .routine)
        for to in [TerminalState.locked, .suspectedStolen, .stolen, .recovered] {
            #expect(TerminalAction.move(from: .active, to: to).effect == .containment)
        }
        #expect(TerminalAction.send(.lock).effect == .containment)
        for from in [TerminalState.locked, .suspectedStolen, .recovered] {
            #expect(TerminalAction.move(from: from, to: .active).effect == .release)
        }
        #expect(TerminalAction.send(.unlock).effect == .release && TerminalAction.issueUnlockCode.effect == .release)
        #expect(TerminalAction.move(from: .active, to: .retired).effect == .irreversible)
        #expect(TerminalAction.send(.wipeKeys).effect == .irreversible)
    }

    @Test func theSameEffectGetsTheSameAnswerWhateverTheRoute() {
        for role in Role.allCases {
            // Unlocking by command, by unlock code and by moving a locked terminal back are one decision.
            let unlock = role.permission(for: .send(.unlock))
            #expect(role.permission(for: .move(from: .locked, to: .active)) == unlock)
            #expect(role.permission(for: .issueUnlockCode) == unlock)
            // Locking by command and by moving the terminal are one decision.
            #expect(role.permission(for: .move(from: .active, to: .locked)) == role.permission(for: .send(.lock)))
            // Taking out of service never needs a second factor; bringing back or destroying always does.
            for to in [TerminalState.locked, .suspectedStolen, .stolen] {
                #expect(role.permission(for: .move(from: .active, to: to)) != .needsRecentMFA)
            }
            #expect(unlock != .allowed && role.permission(for: .send(.wipeKeys)) != .allowed)
        }
        #expect(Role.storeManager.permission(for: .send(.unlock)) == .denied)
        #expect(Role.merchantAdmin.permission(for: .send(.unlock)) == .needsRecentMFA)
        #expect(Role.providerAdmin.permission(for: .move(from: .suspectedStolen, to: .stolen)) == .allowed)
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

@Suite("Client address behind proxies")
struct ClientAddressTests {
    let proxies = [try! IPNetwork(cidr: "10.0.0.0/8"), try! IPNetwork(cidr: "fd00::/8")]

    @Test func theHeaderIsBelievedOnlyFromTrustedProxies() {
        #expect(
            ClientAddress.resolve(peer: "198.51.100.4", forwardedFor: ["1.2.3.4"], trustedProxies: proxies)
                == "198.51.100.4")
        #expect(
            ClientAddress.resolve(peer: "10.1.1.1", forwardedFor: ["203.0.113.7"], trustedProxies: proxies)
                == "203.0.113.7")
        #expect(ClientAddress.resolve(peer: "10.1.1.1", forwardedFor: [], trustedProxies: proxies) == "10.1.1.1")
        #expect(
            ClientAddress.resolve(peer: "10.1.1.1", forwardedFor: ["203.0.113.7"], trustedProxies: []) == "10.1.1.1")
    }

    @Test func aClientCannotPrependItsWayPastTheProxies() {
        // The client wrote "1.1.1.1"; the edge proxy appended the address it saw, then an inner proxy its own.
        #expect(
            ClientAddress.resolve(
                peer: "10.0.0.2", forwardedFor: ["1.1.1.1, 203.0.113.9", "10.0.0.1"], trustedProxies: proxies)
                == "203.0.113.9")
        #expect(
            ClientAddress.resolve(peer: "fd00::2", forwardedFor: ["garbage, 203.0.113.9"], trustedProxies: proxies)
                == "203.0.113.9")
        #expect(
            ClientAddress.resolve(
                peer: "10.0.0.2", forwardedFor: ["203.0.113.9, not-an-address"], trustedProxies: proxies)
                == "10.0.0.2")
    }
}
