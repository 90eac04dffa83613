import Foundation
import PosGuardDomain

/// The console's language for one request: the one the browser chose with the switcher (a cookie), else the
/// signed-in user's setting, else the first of `Accept-Language` the console speaks, else English.
struct ConsoleLanguage: Sendable {
    let locale: User.Locale

    static let cookie = "posguard_lang"

    static func negotiate(cookie: String?, user: User.Locale?, acceptLanguage: String?) -> ConsoleLanguage {
        if let cookie, let chosen = User.Locale(rawValue: cookie) { return ConsoleLanguage(locale: chosen) }
        if let user { return ConsoleLanguage(locale: user) }
        for range in acceptLanguage?.split(separator: ",") ?? [] {
            let tag = range.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
            if tag.hasPrefix("zh") && !tag.hasPrefix("zh-hant") && !tag.hasPrefix("zh-tw") && !tag.hasPrefix("zh-hk") {
                return ConsoleLanguage(locale: .zhHans)
            }
            if tag.hasPrefix("en") { return ConsoleLanguage(locale: .en) }
        }
        return ConsoleLanguage(locale: .en)
    }

    /// The `lang` attribute value.
    var tag: String { locale.rawValue }

    /// `text` (English, also the key) in this language.
    func t(_ text: String) -> String {
        switch locale {
        case .en: text
        case .zhHans: ConsoleText.zhHans[text] ?? text
        }
    }

    /// A date and time in this language, in the given time zone (the store's), with the zone's abbreviation.
    func dateTime(_ date: Date, in zone: TimeZone = .gmt) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: locale == .en ? "en_GB" : "zh_Hans_CN")
        formatter.timeZone = zone
        formatter.dateFormat = locale == .en ? "d MMM yyyy, HH:mm:ss zzz" : "yyyy年M月d日 HH:mm:ss zzz"
        return formatter.string(from: date)
    }

    /// A number with the language's grouping.
    func number(_ value: Double, fractionDigits: Int = 0) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: locale == .en ? "en_GB" : "zh_Hans_CN")
        formatter.numberStyle = .decimal
        formatter.minimumFractionDigits = fractionDigits
        formatter.maximumFractionDigits = fractionDigits
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }
}
