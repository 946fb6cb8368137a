/// Check-digit validation of Norwegian personal identity numbers: fødselsnummer, D-nummer (day + 40),
/// H-nummer (month + 40) and synthetic test numbers (month + 80, as issued by Skatteetaten's test
/// population).
///
/// Two check-digit rules are accepted side by side: the classic one (k1 = 11 − (weighted sum mod 11),
/// remainder 0 → 0) and the rule in force from 2032, under which the first check digit may take any
/// value that makes the weighted sum's remainder 0, 1, 2 or 3. The second check digit keeps its rule.
public enum Fodselsnummer {
    public enum Problem: Sendable, Hashable, CustomStringConvertible {
        case notElevenDigits
        case invalidDate
        case checkDigits

        public var description: String {
            switch self {
            case .notElevenDigits: "is not 11 digits"
            case .invalidDate: "does not start with a valid date"
            case .checkDigits: "has wrong check digits"
            }
        }
    }

    private static let weights1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    private static let weights2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]

    /// nil when valid; otherwise what is wrong (never the number itself, so it can be logged).
    static func problem(in number: String) -> Problem? {
        let digits = number.utf8.map { Int($0) - 48 }
        guard digits.count == 11, digits.allSatisfy({ (0...9).contains($0) }) else { return .notElevenDigits }
        guard hasPlausibleDate(digits) else { return .invalidDate }
        let r1 = zip(digits, weights1).reduce(0) { $0 + $1.0 * $1.1 } + digits[9]
        let r2 = zip(digits, weights2).reduce(0) { $0 + $1.0 * $1.1 } + digits[10]
        // Weighted sum including the check digit itself (weight 1): k1 valid iff the total is ≡ 0
        // (classic) or, from 2032, ≡ 0, 1, 2 or 3 (mod 11). k2 must make its total ≡ 0.
        guard (0...3).contains(r1 % 11), r2 % 11 == 0 else { return .checkDigits }
        return nil
    }

    public static func isValid(_ number: String) -> Bool { problem(in: number) == nil }

    /// Month offsets in use: 40 for H-nummer (and NAV's Testnorge), 65 for Norsk Helsenett's test
    /// persons (seen in NHN's own sample messages), 80 for Skatteetaten's synthetic population.
    private static let monthOffsets = [0, 40, 65, 80]

    /// The date part must be a real date, with the century taken from the individual number (so
    /// 29 February is checked against the right year). Felles hjelpenummer (first digit 8 or 9) carry
    /// no date and skip this check.
    private static func hasPlausibleDate(_ d: [Int]) -> Bool {
        if d[0] >= 8 { return true }
        var day = d[0] * 10 + d[1]
        if day > 40 { day -= 40 }
        let rawMonth = d[2] * 10 + d[3]
        guard let month = monthOffsets.map({ rawMonth - $0 }).first(where: { (1...12).contains($0) }) else {
            return false
        }
        let year = century(twoDigitYear: d[4] * 10 + d[5], individual: d[6] * 100 + d[7] * 10 + d[8])
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...daysInMonth[month - 1]).contains(day)
    }

    /// Full year from the two-digit year and the individual number series (folkeregisterforskriften).
    private static func century(twoDigitYear yy: Int, individual: Int) -> Int {
        switch individual {
        case 0...499: 1900 + yy
        case 500...749 where yy >= 54: 1800 + yy
        case 500...999 where yy <= 39: 2000 + yy
        default: 1900 + yy
        }
    }
}
