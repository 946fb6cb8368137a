import Foundation

/// Every pathway the gateway knows, as data: the bundled definitions below, with a config's
/// `pathways` entries added (a new id) or replacing a bundled one (the same id). Adding a pathway,
/// an event or a partner's own code for an event is a configuration change, not a code change.
struct PathwayCatalog: Sendable, Hashable {
    var definitions: [PathwayDefinition]
    /// The code systems an event's own code is accepted in (`pathwayCodeSystems` in the config):
    /// the gateway's OID unless configured, e.g. also a regional or national code system.
    var codeSystems: [String] = [KITHCodeSystem.pathwayEvents]

    func definition(id: String) -> PathwayDefinition? { definitions.first { $0.id == id } }

    func event(code: String) -> PathwayEvent? {
        for definition in definitions {
            if let event = definition.event(code: code) { return event }
        }
        return nil
    }

    /// `overrides` replace the definitions with the same id and are appended otherwise.
    func merging(_ overrides: [PathwayDefinition]) -> PathwayCatalog {
        var merged = definitions
        for definition in overrides {
            if let index = merged.firstIndex(where: { $0.id == definition.id }) {
                merged[index] = definition
            } else {
                merged.append(definition)
            }
        }
        var catalog = PathwayCatalog(definitions: merged)
        catalog.codeSystems = codeSystems
        return catalog
    }

    /// The bundled definitions, parsed from `bundledJSON` with the config's own parser.
    static let bundled: PathwayCatalog = {
        var reader = ConfigReader()
        let root = try? JSONSerialization.jsonObject(with: Data(bundledJSON.utf8))
        let definitions = PathwayCatalogParser.parse(
            root ?? NSNull(), at: "$.pathways", over: PathwayCatalog(definitions: []),
            reader: &reader)
        // Unreachable while PathwayCatalogTests.bundledDefinitionsParseWithoutProblems passes.
        precondition(reader.problems.isEmpty, "bundled pathways are invalid: \(reader.problems)")
        return definitions
    }()

    /// Spec §5 and domain.md §1, in the shape a config's `pathways` key takes:
    /// - Pakkeforløp hjem for pasienter med kreft: SP1 in hospital (routed to the kommune's
    ///   contact point; starts the pathway), SP2 due 3–4 months and SP3 due 12–18 months after the
    ///   diagnosis date (SP3 completes it). An SP2 still missing when SP3's window opens is not done
    ///   (ikke gjennomført), no longer overdue; open items stop counting as overdue 24 months after
    ///   the diagnosis, when the pathway is over in any case. `PFH-AVSLUTTET` closes an episode
    ///   early with a reason (spec §5): deceased, declines, moved, other.
    /// - Pasientforløp for psykisk helse og rus (so named since 2023, earlier pakkeforløp; D01 TSB,
    ///   D11 adults, D12 children and youth): the
    ///   municipal follow-up event, also told by the clinical-decision code "follow-up by GP or
    ///   municipality" (D01CK, D11CK, D12CK). No municipal time limit: each one is a referral.
    static let bundledJSON = #"""
        [
          { "id": "pakkeforlop-hjem",
            "name": "Pakkeforløp hjem for pasienter med kreft",
            "diagnosisDate": { "code": "PFH-DIAGNOSEDATO", "textLabels": ["Diagnosedato", "Diagnosedato kreft"] },
            "closeAfter": "P24M",
            "events": [
              { "code": "PFH-SP1", "meaning": "needs assessment done in hospital after the cancer diagnosis",
                "routesToKommune": true, "starts": true },
              { "code": "PFH-SP2", "meaning": "municipal needs assessment at about 3-4 months",
                "due": { "from": "P3M", "to": "P4M", "lapsesWhenOpens": "PFH-SP3" } },
              { "code": "PFH-SP3", "meaning": "municipal needs assessment at about 12-18 months; pathway complete",
                "due": { "from": "P12M", "to": "P18M" }, "completes": true },
              { "code": "PFH-AVSLUTTET", "meaning": "the patient's pathway is closed early (reason as a coded value)",
                "closes": true,
                "reasons": { "DOD": "Død", "ONSKER-IKKE": "Ønsker ikke oppfølging", "FLYTTET": "Flyttet (ny kommune overtar)",
                             "ANNET": "Annen årsak" } }
            ] },
          { "id": "psykisk-helse-rus",
            "name": "Pasientforløp for psykisk helse og rus",
            "types": { "D01": "Tverrfaglig spesialisert rusbehandling (TSB)", "D11": "Psykisk helsevern voksne",
                       "D12": "Psykisk helsevern barn og unge" },
            "events": [
              { "code": "NPF-KOMMUNE", "meaning": "follow-up needed in the municipality (clinical decision or ending)",
                "routesToKommune": true, "starts": true,
                "matches": [ { "value": "D01CK", "type": "D01" }, { "value": "D11CK", "type": "D11" },
                             { "value": "D12CK", "type": "D12" } ] }
            ] }
        ]
        """#
}
