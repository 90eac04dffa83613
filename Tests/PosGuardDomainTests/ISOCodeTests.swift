import PosGuardDomain
import Testing

@Suite("ISO codes")
struct ISOCodeTests {
    @Test func currenciesAreThreeCapitalLetters() {
        #expect(ISOCode.isCurrency("EUR"))
        #expect(ISOCode.isCurrency("CNY"))
        for refused in ["eur", "Eur", "EU", "EURO", "", "E1R", "ÉUR", "E\u{301}UR", "ＥＵＲ", "EU "] {
            #expect(!ISOCode.isCurrency(refused), "\(refused)")
        }
    }

    @Test func countriesAreTwoCapitalLetters() {
        #expect(ISOCode.isCountry("DE"))
        #expect(ISOCode.isCountry("CN"))
        for refused in ["de", "D", "DEU", "", "D1", "ÖS", "Ｄ", "D\u{0}"] {
            #expect(!ISOCode.isCountry(refused), "\(refused)")
        }
    }
}
