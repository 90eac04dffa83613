/// Codes ISO standards write in capital letters: currencies (ISO 4217, `EUR`) and countries (ISO 3166-1
/// alpha-2, `DE`). Their shape is checked, not the list of codes in use.
public enum ISOCode {
    public static func isCurrency(_ text: String) -> Bool { isCapitals(text, count: 3) }

    public static func isCountry(_ text: String) -> Bool { isCapitals(text, count: 2) }

    /// Exactly `count` of `A`…`Z` and nothing else.
    static func isCapitals(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (0x41...0x5A).contains($0) }
    }
}
