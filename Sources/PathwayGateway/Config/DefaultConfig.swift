import Foundation

/// The configuration used when no config file is given or found (spec §1), so that
/// `pathway-gateway run` works out of the box on a fresh checkout.
///
/// Kept as a string literal, not read from disk, so an installed binary needs no data files. The same
/// text is shipped as `samples/pathway-gateway.json` for operators to copy; a test keeps the two equal.
/// HER-ids are in a made-up test range (815xxxx); kommunenummer and names are the real 2024 ones.
public enum DefaultConfig {
    /// Name shown wherever a config file name would be (check-config output, problem lines).
    static let sourceName = "<embedded default>"

    static let json = #"""
        {
          "spool": "spool",
          "gateway": { "herId": "8150001", "name": "Forløpsgateway Helse Vest" },
          "partners": [
            { "id": "helse-bergen", "name": "Helse Bergen HF", "herIds": ["8150010", "8150011"], "schemaPolicy": "strict" },
            { "id": "haraldsplass", "name": "Haraldsplass Diakonale Sykehus", "herIds": ["8150020", "8150021"],
              "schemaPolicy": "lenient" },
            { "id": "bergen-kommune", "name": "Bergen kommune", "herIds": ["8150100", "8150101"] },
            { "id": "oslo-kommune", "name": "Oslo kommune", "herIds": ["8150110", "8150111"] },
            { "id": "trondheim-kommune", "name": "Trondheim - Tråante kommune", "herIds": ["8150120", "8150121"] },
            { "id": "stavanger-kommune", "name": "Stavanger kommune", "herIds": ["8150130", "8150131"] },
            { "id": "alesund-kommune", "name": "Ålesund kommune", "herIds": ["8150140", "8150141"] },
            { "id": "tromso-kommune", "name": "Tromsø kommune", "herIds": ["8150150", "8150151"] }
          ],
          "contactPoints": [
            { "kommune": "4601", "pathway": "pakkeforlop-hjem", "partner": "bergen-kommune",
              "herId": "8150101", "name": "Bergen kommune, kreftkoordinator", "reminders": true },
            { "kommune": "4601", "pathway": "*", "partner": "bergen-kommune",
              "herId": "8150100", "name": "Bergen kommune, koordinerende enhet" },
            { "kommune": "0301", "pathway": "pakkeforlop-hjem", "partner": "oslo-kommune",
              "herId": "8150111", "name": "Oslo kommune, kreftkoordinator" },
            { "kommune": "0301", "pathway": "*", "partner": "oslo-kommune",
              "herId": "8150110", "name": "Oslo kommune, koordinerende enhet" },
            { "kommune": "5001", "pathway": "pakkeforlop-hjem", "partner": "trondheim-kommune",
              "herId": "8150121", "name": "Trondheim - Tråante kommune, kreftkoordinator" },
            { "kommune": "5001", "pathway": "*", "partner": "trondheim-kommune",
              "herId": "8150120", "name": "Trondheim - Tråante kommune, tjenestekontor" },
            { "kommune": "1103", "pathway": "pakkeforlop-hjem", "partner": "stavanger-kommune",
              "herId": "8150131", "name": "Stavanger kommune, kreftkoordinator" },
            { "kommune": "1103", "pathway": "*", "partner": "stavanger-kommune",
              "herId": "8150130", "name": "Stavanger kommune, koordinerende enhet" },
            { "kommune": "1508", "pathway": "pakkeforlop-hjem", "partner": "alesund-kommune",
              "herId": "8150141", "name": "Ålesund kommune, kreftkoordinator" },
            { "kommune": "1508", "pathway": "*", "partner": "alesund-kommune",
              "herId": "8150140", "name": "Ålesund kommune, tildelingskontor" },
            { "kommune": "5501", "pathway": "pakkeforlop-hjem", "partner": "tromso-kommune",
              "herId": "8150151", "name": "Tromsø kommune, kreftkoordinator" },
            { "kommune": "5501", "pathway": "*", "partner": "tromso-kommune",
              "herId": "8150150", "name": "Tromsø kommune, koordinerende enhet" }
          ],
          "kommuneAliases": { "1507": "1508" }
        }
        """#

    /// The embedded default, with `spool` resolved against `currentDirectory`.
    public static func load(currentDirectory: String) -> GatewayConfig {
        do {
            return try ConfigParser.parse(Data(json.utf8), file: sourceName, baseDirectory: currentDirectory)
        } catch {
            // Unreachable while ConfigTests.defaultLoadsWithoutProblems passes.
            preconditionFailure("embedded default config is invalid: \(error)")
        }
    }
}
