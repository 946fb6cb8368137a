import Foundation

/// Turns the bytes of a config file into a `GatewayConfig`, or into the complete list of what is
/// wrong with it (syntax, unknown keys, types, then cross-references in `ConfigChecks`).
enum ConfigParser {
    static let rootKeys =
        [
            "spool", "gateway", "partners", "contactPoints", "kommuneAliases",
            "limits", "schemas", "workers", "batchSize", "scanIntervalSeconds", "pathways", "pathwayCodeSystems",
        ] + operationsKeys
    static let partnerKeys = ["id", "name", "herIds", "schemaPolicy", "group"]
    static let contactPointKeys = ["kommune", "pathway", "partner", "herId", "name", "reminders"]
    static let contactPointRequired = ["kommune", "pathway", "partner", "herId", "name"]

    /// Pieces that parsed, each with the JSON path it came from, for the cross-reference checks.
    /// Fields that failed to parse are empty and skipped by the checks (already reported).
    struct Draft {
        var gatewayHerId = ""
        var partners: [(path: String, partner: Partner)] = []
        var contactPoints: [(path: String, contactPoint: ContactPoint)] = []
        var aliases: [String: String] = [:]
    }

    /// Every step reports into one `ConfigReader`, so a single pass lists every problem.
    static func parse(_ data: Data, file: String, baseDirectory: String) throws(ConfigError) -> GatewayConfig {
        let root = try json(data, file: file)
        var reader = ConfigReader()
        for duplicate in JSONDuplicateKeys.find(in: [UInt8](data)) {
            reader.report(
                duplicate.path, "key given twice in one object (only one would count): remove one", line: duplicate.line
            )
        }
        guard
            let object = reader.object(
                root, at: "$", known: rootKeys,
                required: ["spool", "gateway", "partners", "contactPoints"])
        else {
            throw .invalid(file: file, problems: reader.problems)
        }
        let spool = reader.string(object, "spool", at: "$")
        if spool?.isEmpty == true { reader.report("$.spool", "must not be empty") }
        var draft = Draft()
        let identity = parseIdentity(object, draft: &draft, reader: &reader)
        parseParties(object, draft: &draft, reader: &reader)
        let limits = parseLimits(object, reader: &reader)
        let schemas = reader.string(object, "schemas", at: "$")
        let workers = reader.integer(object, "workers", at: "$", minimum: 1) ?? GatewayConfig.defaultWorkers
        let batchSize = reader.integer(object, "batchSize", at: "$", minimum: 1) ?? GatewayConfig.defaultBatchSize
        let interval =
            reader.positiveNumber(object, "scanIntervalSeconds", at: "$")
            ?? GatewayConfig.defaultScanIntervalSeconds
        let operations = parseOperations(object, baseDirectory: baseDirectory, reader: &reader)
        var pathways = object["pathways"].map {
            PathwayCatalogParser.parse($0, at: "$.pathways", over: .bundled, reader: &reader)
        }
        if object["pathwayCodeSystems"] != nil {
            var catalog = pathways ?? .bundled
            catalog.codeSystems = PathwayCatalogParser.codeSystems(object, reader: &reader)
            pathways = catalog
        }
        ConfigChecks.run(draft, reader: &reader)
        guard reader.problems.isEmpty, let spool else {
            throw .invalid(file: file, problems: inDocumentOrder(reader.problems))
        }
        var config = GatewayConfig(
            spool: resolve(spool, against: baseDirectory), gateway: identity,
            partners: draft.partners.map(\.partner), contactPoints: draft.contactPoints.map(\.contactPoint),
            kommuneAliases: draft.aliases, limits: limits,
            schemas: schemas.map { resolve($0, against: baseDirectory) },
            workers: workers, batchSize: batchSize, scanIntervalSeconds: interval, operations: operations)
        config.pathways = pathways ?? .bundled
        config.addInternalPartnerIfNeeded()
        return config
    }

    /// The JSON tree, or a syntax error with its line.
    private static func json(_ data: Data, file: String) throws(ConfigError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let line = syntaxErrorLine(error, in: data)
            let detail = ((error as NSError).userInfo["NSDebugDescription"] as? String) ?? "\(error)"
            throw .invalid(
                file: file, problems: [ConfigProblem(path: "$", message: "invalid JSON: \(detail)", line: line)])
        }
    }

    /// `gateway`: the gateway's own HER-id and name.
    private static func parseIdentity(
        _ object: [String: Any], draft: inout Draft, reader: inout ConfigReader
    ) -> GatewayConfig.Identity {
        var identity = GatewayConfig.Identity(herId: "", name: "")
        if let value = object["gateway"],
            let gateway = reader.object(value, at: "$.gateway", known: ["herId", "name"], required: ["herId", "name"])
        {
            identity.herId = gateway["herId"].flatMap { reader.digits($0, at: "$.gateway.herId", what: "HER-id") } ?? ""
            identity.name = reader.string(gateway, "name", at: "$.gateway") ?? ""
            draft.gatewayHerId = identity.herId
        }
        return identity
    }

    /// `partners`, `contactPoints` and `kommuneAliases` into the draft the cross-checks read.
    private static func parseParties(_ object: [String: Any], draft: inout Draft, reader: inout ConfigReader) {
        for (index, value) in (reader.array(object, "partners", at: "$") ?? []).enumerated() {
            let path = ConfigReader.path("$.partners", index)
            if let partner = parsePartner(value, at: path, reader: &reader) { draft.partners.append((path, partner)) }
        }
        for (index, value) in (reader.array(object, "contactPoints", at: "$") ?? []).enumerated() {
            let path = ConfigReader.path("$.contactPoints", index)
            if let point = parseContactPoint(value, at: path, reader: &reader) {
                draft.contactPoints.append((path, point))
            }
        }
        if let value = object["kommuneAliases"] {
            if let aliases = value as? [String: Any] {
                draft.aliases = parseAliases(aliases, reader: &reader)
            } else {
                reader.report("$.kommuneAliases", "expected an object, found \(ConfigReader.kind(of: value))")
            }
        }
    }

    /// `limits`: size and depth bounds, the defaults where absent.
    private static func parseLimits(_ object: [String: Any], reader: inout ConfigReader) -> XMLLimits {
        var limits = XMLLimits.default
        if let value = object["limits"],
            let limitsObject = reader.object(value, at: "$.limits", known: ["maxBytes", "maxDepth"], required: [])
        {
            limits.maxBytes = reader.integer(limitsObject, "maxBytes", at: "$.limits", minimum: 1) ?? limits.maxBytes
            limits.maxDepth = reader.integer(limitsObject, "maxDepth", at: "$.limits", minimum: 1) ?? limits.maxDepth
        }
        return limits
    }

    /// Groups problems by where they are (top-level key in file order, then array element), so the
    /// shape and cross-reference problems of one partner or contact point are listed together.
    static func inDocumentOrder(_ problems: [ConfigProblem]) -> [ConfigProblem] {
        func key(_ problem: ConfigProblem) -> (Int, Int) {
            let parts = problem.path.dropFirst(2).split(whereSeparator: { $0 == "." || $0 == "[" })
            let top = parts.first.flatMap { rootKeys.firstIndex(of: String($0)) } ?? rootKeys.count
            let index = parts.dropFirst().first.flatMap { $0.hasSuffix("]") ? Int($0.dropLast()) : nil } ?? -1
            return (top, index)
        }
        return problems.enumerated().sorted { lhs, rhs in
            let (l, r) = (key(lhs.element), key(rhs.element))
            return l != r ? l < r : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// `path` if absolute, else `path` under `baseDirectory`, normalised (no `.`/`..` segments).
    static func resolve(_ path: String, against baseDirectory: String) -> String {
        let base = URL(fileURLWithPath: baseDirectory, isDirectory: true)
        return URL(fileURLWithPath: path, relativeTo: path.hasPrefix("/") ? nil : base).standardizedFileURL.path
    }

    private static func parsePartner(_ value: Any, at path: String, reader: inout ConfigReader) -> Partner? {
        guard let object = reader.object(value, at: path, known: partnerKeys, required: ["id", "name", "herIds"]) else {
            return nil
        }
        var partner = Partner(
            id: reader.string(object, "id", at: path) ?? "", name: reader.string(object, "name", at: path) ?? "",
            herIds: [])
        if partner.isInternal {
            reader.report(
                "\(path).id", "partner id \"\(partner.id)\" is reserved for the gateway's own reminders (spec §9)")
            partner.id = ""
        } else if object["id"] is String, !Partner.isSafeId(partner.id) {
            reader.report(
                "\(path).id",
                "partner id \"\(partner.id)\" is not safe as a spool directory name "
                    + "(use lower-case letters, digits, '.', '_', '-'; start with a letter or digit)")
            partner.id = ""
        }
        if let herIds = reader.array(object, "herIds", at: path) {
            if herIds.isEmpty { reader.report("\(path).herIds", "a partner needs at least one HER-id") }
            for (index, herId) in herIds.enumerated() {
                if let digits = reader.digits(herId, at: ConfigReader.path("\(path).herIds", index), what: "HER-id") {
                    partner.herIds.append(digits)
                }
            }
        }
        if let policy = reader.string(object, "schemaPolicy", at: path) {
            if let parsed = SchemaPolicy(rawValue: policy) {
                partner.schemaPolicy = parsed
            } else {
                reader.report("\(path).schemaPolicy", "schemaPolicy must be strict or lenient, found \"\(policy)\"")
            }
        }
        if let value = object["group"] { partner.group = parseGroup(value, at: "\(path).group", reader: &reader) }
        return partner
    }

    /// A group name, or its number (a JSON whole number or a string of digits). Whether a name
    /// exists on this host is `ConfigChecks`' question.
    private static func parseGroup(_ value: Any, at path: String, reader: inout ConfigReader) -> UnixGroup? {
        if let number = ConfigReader.number(value) {
            guard number.rounded() == number, number >= 0, number < Double(UInt32.max) else {
                reader.report(
                    path,
                    "a group number must be a whole number from 0 to \(UInt32.max - 1), found \(ConfigReader.kind(of: value))"
                )
                return nil
            }
            return .id(gid_t(number))
        }
        guard let text = reader.string(value, at: path) else { return nil }
        guard let group = UnixGroup(text) else {
            reader.report(path, "group must be a Unix group name or number, found \"\(text)\"")
            return nil
        }
        return group
    }

    private static func parseContactPoint(_ value: Any, at path: String, reader: inout ConfigReader) -> ContactPoint? {
        guard let object = reader.object(value, at: path, known: contactPointKeys, required: contactPointRequired)
        else {
            return nil
        }
        let kommune = object["kommune"].flatMap { reader.digits($0, at: "\(path).kommune", what: "kommune", count: 4) }
        let herId = object["herId"].flatMap { reader.digits($0, at: "\(path).herId", what: "HER-id") }
        var pathway = reader.string(object, "pathway", at: path) ?? ""
        if object["pathway"] is String, !isPathwayId(pathway) {
            reader.report(
                "\(path).pathway", "pathway must be \"*\" or an id like \"pakkeforlop-hjem\", found \"\(pathway)\"")
            pathway = ""
        }
        return ContactPoint(
            kommune: kommune ?? "", pathway: pathway, partner: reader.string(object, "partner", at: path) ?? "",
            herId: herId ?? "", name: reader.string(object, "name", at: path) ?? "",
            reminders: reader.boolean(object, "reminders", at: path) ?? false)
    }

    private static func parseAliases(_ object: [String: Any], reader: inout ConfigReader) -> [String: String] {
        var aliases: [String: String] = [:]
        for key in object.keys.sorted() {
            let path = ConfigReader.path("$.kommuneAliases", key)
            let source = reader.digits(key, at: path, what: "retired kommune", count: 4)
            let target = reader.digits(object[key]!, at: path, what: "alias target", count: 4)
            if let source, let target { aliases[source] = target }
        }
        return aliases
    }

    private static func isPathwayId(_ text: String) -> Bool {
        text == ContactPoint.anyPathway || Partner.isSafeId(text)
    }

    /// The 1-based line of a JSON syntax error, from Foundation's "line N" (Darwin) or
    /// "character N" (a byte offset, swift-corelibs-foundation) wording; nil when neither is present.
    static func syntaxErrorLine(_ error: Error, in data: Data) -> Int? {
        let text = ((error as NSError).userInfo["NSDebugDescription"] as? String) ?? ""
        if let line = number(after: "line ", in: text) { return line }
        if let offset = number(after: "character ", in: text) {
            return data.prefix(offset).reduce(1) { $1 == 10 ? $0 + 1 : $0 }
        }
        if text.contains("end of file") { return data.reduce(1) { $1 == 10 ? $0 + 1 : $0 } }
        return nil
    }

    private static func number(after marker: String, in text: String) -> Int? {
        guard let range = text.range(of: marker) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
