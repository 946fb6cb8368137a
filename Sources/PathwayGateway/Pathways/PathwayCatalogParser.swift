import Foundation

/// Reads pathway definitions from their JSON shape (the bundled text and a config's `pathways`
/// key alike), reporting every problem through `ConfigReader` as the rest of the config does.
enum PathwayCatalogParser {
    static let pathwayKeys = ["id", "name", "types", "diagnosisDate", "closeAfter", "events"]
    static let eventKeys = [
        "code", "meaning", "routesToKommune", "needsPatient", "starts", "completes", "closes", "reasons", "due",
        "matches",
    ]

    /// Parses the array at `path` and merges it over `base`; the merged catalog is then checked
    /// as a whole (event codes and matched values must be unique across every pathway).
    static func parse(_ value: Any, at path: String, over base: PathwayCatalog, reader: inout ConfigReader)
        -> PathwayCatalog
    {
        guard let array = value as? [Any] else {
            reader.report(path, "expected an array of pathways, found \(ConfigReader.kind(of: value))")
            return base
        }
        var parsed: [(path: String, definition: PathwayDefinition)] = []
        for (index, element) in array.enumerated() {
            let here = ConfigReader.path(path, index)
            guard let definition = pathway(element, at: here, reader: &reader) else { continue }
            if let first = parsed.first(where: { $0.definition.id == definition.id }) {
                reader.report("\(here).id", "duplicate pathway id \"\(definition.id)\" (first at \(first.path))")
                continue
            }
            parsed.append((here, definition))
        }
        let merged = base.merging(parsed.map(\.definition))
        check(
            merged, paths: Dictionary(uniqueKeysWithValues: parsed.map { ($0.definition.id, $0.path) }), reader: &reader
        )
        return merged
    }

    /// `pathwayCodeSystems`: the OIDs (code systems) under which event codes such as `PFH-SP1` are
    /// accepted, e.g. a regional code system beside the gateway's own; at least one.
    static func codeSystems(_ object: [String: Any], reader: inout ConfigReader) -> [String] {
        let path = "$.pathwayCodeSystems"
        guard let array = reader.array(object, "pathwayCodeSystems", at: "$") else {
            return [KITHCodeSystem.pathwayEvents]
        }
        var systems: [String] = []
        for (index, element) in array.enumerated() {
            guard let oid = reader.string(element, at: ConfigReader.path(path, index)) else { continue }
            let arcs = oid.split(separator: ".", omittingEmptySubsequences: false)
            guard arcs.count >= 2, arcs.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } })
            else {
                reader.report(
                    ConfigReader.path(path, index),
                    "expected an OID such as \"2.16.578.1.12.4.1.1.9999\", found \"\(oid)\"")
                continue
            }
            if !systems.contains(oid) { systems.append(oid) }
        }
        if array.isEmpty {
            reader.report(path, "name at least one code system (the gateway's own is \(KITHCodeSystem.pathwayEvents))")
        }
        return systems.isEmpty ? [KITHCodeSystem.pathwayEvents] : systems
    }

    private static func pathway(_ value: Any, at path: String, reader: inout ConfigReader) -> PathwayDefinition? {
        guard let object = reader.object(value, at: path, known: pathwayKeys, required: ["id", "name", "events"]) else {
            return nil
        }
        let id = reader.string(object, "id", at: path) ?? ""
        if object["id"] is String, id == ContactPoint.anyPathway || !Partner.isSafeId(id) {
            reader.report(
                "\(path).id",
                "pathway id must look like \"pakkeforlop-hjem\" (lower-case letters, digits, '.', '_', '-'), found \"\(id)\""
            )
        }
        var definition = PathwayDefinition(id: id, name: reader.string(object, "name", at: path) ?? "", events: [])
        if let types = object["types"] {
            if let types = types as? [String: Any] {
                for key in types.keys.sorted() {
                    definition.types[key] =
                        reader.string(types[key]!, at: ConfigReader.path("\(path).types", key)) ?? ""
                }
            } else {
                reader.report(
                    "\(path).types", "expected an object (type code → name), found \(ConfigReader.kind(of: types))")
            }
        }
        if let source = object["diagnosisDate"],
            let dd = reader.object(
                source, at: "\(path).diagnosisDate", known: ["code", "system", "textLabels"], required: ["code"])
        {
            let here = "\(path).diagnosisDate"
            definition.diagnosisDate = DiagnosisDateSource(
                code: reader.string(dd, "code", at: here) ?? "",
                system: reader.string(dd, "system", at: here) ?? KITHCodeSystem.pathwayEvents,
                textLabels: (reader.array(dd, "textLabels", at: here) ?? []).enumerated().compactMap { index, label in
                    reader.string(label, at: ConfigReader.path("\(here).textLabels", index))
                })
        }
        definition.closeAfter = period(object, "closeAfter", at: path, reader: &reader)
        for (index, element) in (reader.array(object, "events", at: path) ?? []).enumerated() {
            if let event = event(element, pathway: id, at: ConfigReader.path("\(path).events", index), reader: &reader)
            {
                definition.events.append(event)
            }
        }
        if object["events"] is [Any], definition.events.isEmpty {
            reader.report("\(path).events", "a pathway needs at least one event")
        }
        return definition
    }

    private static func event(_ value: Any, pathway: String, at path: String, reader: inout ConfigReader)
        -> PathwayEvent?
    {
        guard let object = reader.object(value, at: path, known: eventKeys, required: ["code", "meaning"]) else {
            return nil
        }
        var event = PathwayEvent(
            code: reader.string(object, "code", at: path) ?? "", pathway: pathway,
            meaning: reader.string(object, "meaning", at: path) ?? "",
            routesToKommune: flag(object, "routesToKommune", at: path, reader: &reader) ?? false,
            needsPatient: flag(object, "needsPatient", at: path, reader: &reader) ?? true,
            starts: flag(object, "starts", at: path, reader: &reader) ?? false,
            completes: flag(object, "completes", at: path, reader: &reader) ?? false,
            closes: flag(object, "closes", at: path, reader: &reader) ?? false)
        if event.code.isEmpty || event.code.contains(where: { $0.isWhitespace }) {
            reader.report("\(path).code", "event code must be non-empty without spaces, found \"\(event.code)\"")
        }
        if let due = object["due"],
            let window = reader.object(
                due, at: "\(path).due", known: ["from", "to", "lapsesWhenOpens"], required: ["from", "to"])
        {
            if let from = period(window, "from", at: "\(path).due", reader: &reader),
                let to = period(window, "to", at: "\(path).due", reader: &reader)
            {
                if to < from { reader.report("\(path).due", "window ends (\(to)) before it opens (\(from))") }
                event.due = DueWindow(
                    from: from, to: to,
                    lapsesWhenOpens: window["lapsesWhenOpens"].flatMap {
                        reader.string($0, at: "\(path).due.lapsesWhenOpens")
                    })
            }
        }
        if let reasons = object["reasons"] {
            if let reasons = reasons as? [String: Any], !reasons.isEmpty {
                for key in reasons.keys.sorted() {
                    event.reasons[key] =
                        reader.string(reasons[key]!, at: ConfigReader.path("\(path).reasons", key)) ?? ""
                }
            } else {
                reader.report(
                    "\(path).reasons",
                    "expected an object of reason code → label, found \(ConfigReader.kind(of: reasons))")
            }
            if !event.closes { reader.report("\(path).reasons", "only an event with \"closes\": true has reasons") }
        }
        for (index, element) in (reader.array(object, "matches", at: path) ?? []).enumerated() {
            let here = ConfigReader.path("\(path).matches", index)
            guard let match = reader.object(element, at: here, known: ["value", "system", "type"], required: ["value"])
            else { continue }
            event.matches.append(
                CodeMatch(
                    system: reader.string(match, "system", at: here) ?? KITHCodeSystem.pathwayEvents,
                    value: reader.string(match, "value", at: here) ?? "",
                    type: reader.string(match, "type", at: here)))
        }
        return event
    }

    /// Whole-catalog rules; problems are reported at the config path of the pathway that breaks
    /// them (bundled definitions are valid by test, so a clash always involves a config entry).
    private static func check(_ catalog: PathwayCatalog, paths: [String: String], reader: inout ConfigReader) {
        var codes: [String: String] = [:]
        var values: [String: String] = [:]
        for definition in catalog.definitions {
            let path = paths[definition.id] ?? "$.pathways"
            for event in definition.events where !event.code.isEmpty {
                if let owner = codes[event.code] {
                    reader.report(path, "event code \(event.code) is already defined by pathway \(owner)")
                }
                codes[event.code] = definition.id
                for match in [CodeMatch(value: event.code)] + event.matches {
                    let key = match.system + "|" + match.value
                    if let other = values[key], other != event.code {
                        reader.report(
                            path,
                            "code \(match.value) (system \(match.system)) already means \(other), not also \(event.code)"
                        )
                    }
                    values[key] = event.code
                    if let type = match.type, definition.types[type] == nil {
                        reader.report(
                            path,
                            "match \(match.value) names type \(type), which pathway \(definition.id) does not list in types"
                        )
                    }
                }
            }
            for event in definition.dueEvents {
                guard let other = event.due?.lapsesWhenOpens else { continue }
                if definition.event(code: other)?.due == nil {
                    reader.report(
                        path,
                        "\(event.code) lapses when \(other) opens, which is not an event with a due window in \(definition.id)"
                    )
                }
            }
            let startsSomewhere = definition.events.contains(where: \.starts)
            if !startsSomewhere, !definition.dueEvents.isEmpty || definition.closeAfter != nil {
                reader.report(
                    path,
                    "pathway \(definition.id) has due windows or closeAfter but no event with \"starts\": true to anchor them"
                )
            }
        }
    }

    private static func period(_ object: [String: Any], _ key: String, at path: String, reader: inout ConfigReader)
        -> PathwayPeriod?
    {
        guard let text = reader.string(object, key, at: path) else { return nil }
        guard let period = PathwayPeriod(iso: text) else {
            reader.report(
                ConfigReader.path(path, key),
                "expected an ISO 8601 period such as \"P3M\", \"P18M\" or \"P14D\", found \"\(text)\"")
            return nil
        }
        return period
    }

    private static func flag(_ object: [String: Any], _ key: String, at path: String, reader: inout ConfigReader)
        -> Bool?
    {
        guard let value = object[key] else { return nil }
        guard ConfigReader.isBoolean(value), let bool = (value as? NSNumber)?.boolValue else {
            reader.report(ConfigReader.path(path, key), "expected true or false, found \(ConfigReader.kind(of: value))")
            return nil
        }
        return bool
    }
}
