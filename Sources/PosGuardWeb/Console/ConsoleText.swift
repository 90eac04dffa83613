/// The console's words in Simplified Chinese, by their English text (which is also the English page's).
enum ConsoleText {
    static let zhHans: [String: String] = [:]
}
