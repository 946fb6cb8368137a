import Foundation
import Testing
@testable import PathwayGateway

@Suite struct FodselsnummerTests {
    @Test(.enabled(if: TestPaths.hasShared, TestPaths.sharedMissing))
    func skatteetatenVectors() throws {
        let csv = try String(contentsOf: TestPaths.shared.appendingPathComponent(
            "fnr-testvektorer/skatteetaten_foedselsnummer_eksempler.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        #expect(rows.count >= 10)
        for row in rows {
            let expected = row[2] == "true"
            #expect(Fodselsnummer.isValid(String(row[0])) == expected, "\(row[0]) (\(row[3]))")
        }
    }

    @Test(arguments: [
        ("15720255178", true),   // NHN test person: month + 65
        ("45088649080", true),   // D-nummer: day + 40
        ("29020073150", true),   // 29 Feb 2000 (individual 731 → 2000s)
        ("29020105729", false),  // 29 Feb 1901: not a leap year
        ("20036914712", false),  // wrong check digits
        ("3143242342", false),   // 10 digits
        ("1234567890a", false),
        ("", false),
    ])
    func knownNumbers(number: String, valid: Bool) {
        #expect(Fodselsnummer.isValid(number) == valid)
    }

    @Test func problemsNameTheRuleNotTheNumber() {
        #expect(Fodselsnummer.problem(in: "20036914712") == .checkDigits)
        #expect(Fodselsnummer.problem(in: "32136914700") == .invalidDate)
        #expect(!Fodselsnummer.Problem.checkDigits.description.contains("2003"))
    }
}
