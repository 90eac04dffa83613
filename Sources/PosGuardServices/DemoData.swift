import Foundation
import PosGuardDomain
import PosGuardStorage

/// A small, realistic tenant to explore PosGuard with: one acquirer, two merchants, four stores in four
/// cities, forty terminals in every lifecycle state, and a user of every role. Loaded through the same
/// services as real data, so it carries full histories and audit records.
public enum DemoData {
    public struct Login: Sendable, Equatable {
        public var role: Role
        public var email: String
        public var password: String
        public var name: String
    }

    public static let providerName = "Harbour Payments (demo)"

    public static let logins: [Login] = [
        Login(
            role: .providerAdmin, email: "admin@harbour.demo", password: "lighthouse-keeper-42", name: "Hana Lindqvist"),
        Login(
            role: .allianceAnalyst, email: "analyst@harbour.demo", password: "registry-watch-2026", name: "Omar Haddad"),
        Login(
            role: .policeLiaison, email: "liaison@police.demo", password: "blue-lamp-evidence-7",
            name: "Insp. Wei Zhang"),
        Login(role: .merchantAdmin, email: "admin@lotus-tea.demo", password: "oolong-terrace-1888", name: "Li Mei"),
        Login(
            role: .merchantAdmin, email: "admin@kiez-baeckerei.demo", password: "sauerteig-morgen-05",
            name: "Jonas Keller"),
        Login(
            role: .storeManager, email: "manager.shanghai@lotus-tea.demo", password: "bund-river-lights-3",
            name: "Chen Jie"),
        Login(
            role: .storeManager, email: "manager.hangzhou@lotus-tea.demo", password: "west-lake-willow-8",
            name: "Zhou Lan"),
        Login(
            role: .storeManager, email: "manager.berlin@kiez-baeckerei.demo", password: "spree-bruecke-1920",
            name: "Anna Vogel"),
        Login(
            role: .storeManager, email: "manager.munich@kiez-baeckerei.demo", password: "isar-biergarten-64",
            name: "Lukas Huber"),
        Login(
            role: .storeOperator, email: "cashier.shanghai@lotus-tea.demo", password: "jasmine-counter-21",
            name: "Wang Fang"),
        Login(
            role: .storeOperator, email: "cashier.berlin@kiez-baeckerei.demo", password: "brezel-kasse-0815",
            name: "Mia Schulz"),
    ]

    struct StoreSeed {
        var code, name, address, city, country, timeZone: String
        var latitude, longitude: Double
        var hours: [String: [String]]
        var manager: String
        var cashier: String?
    }

    /// Loads the demo tenant unless it is already there; returns the logins either way.
    @discardableResult
    public static func load(runtime: Runtime, hasher: PasswordHasher) async throws -> [Login] {
        let users = UserDirectory(runtime: runtime, hasher: hasher)
        let providers = ProviderDirectory(runtime: runtime, hasher: hasher)
        if try await providers.all().contains(where: { $0.name == providerName }) { return logins }

        let admin = logins[0]
        let (provider, _) = try await providers.create(
            name: providerName,
            admin: .init(email: admin.email, name: admin.name, role: admin.role, password: admin.password),
            actor: "demo")
        let system = Caller.system("demo", provider: provider.id, at: runtime.now())
        let merchants = MerchantDirectory(runtime: runtime)
        let stores = StoreDirectory(runtime: runtime)
        let registry = TerminalRegistry(runtime: runtime)
        func login(_ email: String) -> Login { logins.first { $0.email == email }! }
        func addUser(_ email: String, merchant: UUID? = nil, store: UUID? = nil, locale: User.Locale = .en) async throws
        {
            let l = login(email)
            _ = try await users.create(
                .init(
                    email: l.email, name: l.name, role: l.role, password: l.password, locale: locale,
                    merchantID: merchant,
                    storeID: store), by: system)
        }
        for email in ["analyst@harbour.demo", "liaison@police.demo"] { try await addUser(email) }

        let weekdays = ["mon", "tue", "wed", "thu", "fri"]
        let teaHours = Dictionary(uniqueKeysWithValues: (weekdays + ["sat", "sun"]).map { ($0, ["09:00-21:00"]) })
        var bakeryHours = Dictionary(uniqueKeysWithValues: weekdays.map { ($0, ["06:30-18:30"]) })
        bakeryHours["sat"] = ["07:00-14:00"]
        let seeds: [(merchant: String, admin: String, locale: User.Locale, stores: [StoreSeed])] = [
            (
                "Lotus Tea House", "admin@lotus-tea.demo", .zhHans,
                [
                    StoreSeed(
                        code: "LTH-SHA-01", name: "Lotus Tea House Bund", address: "18 Zhongshan East 1st Rd",
                        city: "Shanghai",
                        country: "CN", timeZone: "Asia/Shanghai", latitude: 31.2400, longitude: 121.4900,
                        hours: teaHours,
                        manager: "manager.shanghai@lotus-tea.demo", cashier: "cashier.shanghai@lotus-tea.demo"),
                    StoreSeed(
                        code: "LTH-HGH-01", name: "Lotus Tea House West Lake", address: "1 Nanshan Rd",
                        city: "Hangzhou",
                        country: "CN", timeZone: "Asia/Shanghai", latitude: 30.2540, longitude: 120.1590,
                        hours: teaHours,
                        manager: "manager.hangzhou@lotus-tea.demo", cashier: nil),
                ]
            ),
            (
                "Kiez Bäckerei", "admin@kiez-baeckerei.demo", .en,
                [
                    StoreSeed(
                        code: "KB-BER-01", name: "Kiez Bäckerei Kreuzberg", address: "Oranienstraße 25", city: "Berlin",
                        country: "DE", timeZone: "Europe/Berlin", latitude: 52.5010, longitude: 13.4190,
                        hours: bakeryHours,
                        manager: "manager.berlin@kiez-baeckerei.demo", cashier: "cashier.berlin@kiez-baeckerei.demo"),
                    StoreSeed(
                        code: "KB-MUC-01", name: "Kiez Bäckerei Schwabing", address: "Leopoldstraße 40", city: "Munich",
                        country: "DE", timeZone: "Europe/Berlin", latitude: 48.1600, longitude: 11.5860,
                        hours: bakeryHours,
                        manager: "manager.munich@kiez-baeckerei.demo", cashier: nil),
                ]
            ),
        ]
        let models = [("Ingenico", "Move/5000"), ("Verifone", "V240m"), ("PAX", "A920 Pro"), ("Castles", "Saturn1000")]
        var terminalNumber = 0
        for seed in seeds {
            let merchant = try await merchants.create(
                .init(name: seed.merchant, securityContactEmail: seed.admin), by: system)
            try await addUser(seed.admin, merchant: merchant.id, locale: seed.locale)
            for s in seed.stores {
                let store = try await stores.create(
                    .init(
                        merchantID: merchant.id, code: s.code, name: s.name, address: s.address, city: s.city,
                        country: s.country, timeZone: s.timeZone, businessHours: try BusinessHours.parse(s.hours),
                        geofence: Geofence(latitude: s.latitude, longitude: s.longitude, radiusM: 150)),
                    by: system)
                try await addUser(s.manager, store: store.id, locale: seed.locale)
                if let cashier = s.cashier { try await addUser(cashier, store: store.id, locale: seed.locale) }
                for _ in 0..<10 {
                    terminalNumber += 1
                    let (make, model) = models[terminalNumber % models.count]
                    let terminal = try await registry.register(
                        .init(
                            storeID: store.id,
                            details: .init(
                                make: make, model: model,
                                serial: "SN\(make.prefix(3).uppercased())\(100_000 + terminalNumber * 7919)",
                                tid: String(format: "PG%06d", terminalNumber),
                                mid: "HPM\(s.code.replacingOccurrences(of: "-", with: ""))",
                                firmwareVersion: "4.\(terminalNumber % 3).\(terminalNumber % 7)",
                                appVersion: "2.3.\(terminalNumber % 5)")),
                        by: system)
                    for move in story(of: terminalNumber) { _ = try await registry.move(terminal.id, move, by: system) }
                }
            }
        }
        return logins
    }

    /// The lifecycle a demo terminal has been through, so every state appears in the fleet.
    static func story(of n: Int) -> [TerminalRegistry.Move] {
        let activate = TerminalRegistry.Move(to: .active, reason: "installed at the counter")
        switch n % 10 {
        case 0: return []
        case 3: return [activate, .init(to: .maintenance, reason: "card reader replaced")]
        case 5: return [activate, .init(to: .locked, reason: "left unattended overnight")]
        case 7: return [activate, .init(to: .suspectedStolen, reason: "missing from the counter at closing")]
        case 8:
            return [
                activate, .init(to: .suspectedStolen, reason: "left the store during a break-in"),
                .init(to: .stolen, reason: "police report filed"),
            ]
        case 9:
            return [
                activate, .init(to: .suspectedStolen, reason: "not found at opening"),
                .init(to: .stolen, reason: "confirmed stolen"), .init(to: .recovered, reason: "handed in by police"),
            ]
        default:
            return n == 11 ? [.init(to: .retired, reason: "end of life, keys destroyed")] : [activate]
        }
    }
}
