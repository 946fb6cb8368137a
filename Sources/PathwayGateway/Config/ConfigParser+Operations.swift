/// Parsing of the optional operations keys (`metrics`, `retention`, `log`), every problem reported.
extension ConfigParser {
    static let operationsKeys = ["metrics", "retention", "log"]

    static func parseOperations(_ object: [String: Any], baseDirectory: String, reader: inout ConfigReader)
        -> OperationsSettings
    {
        var settings = OperationsSettings()
        if let value = object["metrics"],
            let metrics = reader.object(
                value, at: "$.metrics", known: ["enabled", "directory", "intervalSeconds", "group"], required: [])
        {
            settings.metrics.enabled = reader.boolean(metrics, "enabled", at: "$.metrics") ?? true
            if let directory = reader.string(metrics, "directory", at: "$.metrics") {
                if directory.isEmpty { reader.report("$.metrics.directory", "must not be empty") }
                settings.metrics.directory = resolve(directory, against: baseDirectory)
            }
            settings.metrics.intervalSeconds =
                reader.positiveNumber(metrics, "intervalSeconds", at: "$.metrics")
                ?? OperationsSettings.Metrics.defaultIntervalSeconds
            settings.metrics.group = metricsGroup(metrics["group"], reader: &reader)
        }
        if let value = object["retention"],
            let retention = reader.object(
                value, at: "$.retention", known: ["archiveDays", "quarantineDays"], required: [])
        {
            settings.retention.archiveDays = reader.integer(retention, "archiveDays", at: "$.retention", minimum: 1)
            settings.retention.quarantineDays = reader.integer(
                retention, "quarantineDays", at: "$.retention", minimum: 1)
        }
        if let value = object["log"],
            let log = reader.object(value, at: "$.log", known: ["format", "level"], required: [])
        {
            if let format = reader.string(log, "format", at: "$.log") {
                if let parsed = GatewayLogger.Format(rawValue: format) {
                    settings.log.format = parsed
                } else {
                    reader.report("$.log.format", "format must be logfmt or json, found \"\(format)\"")
                }
            }
            if let level = reader.string(log, "level", at: "$.log") {
                if let parsed = GatewayLogger.Level(rawValue: level) {
                    settings.log.level = parsed
                } else {
                    reader.report("$.log.level", "level must be debug, info, warn or error, found \"\(level)\"")
                }
            }
        }
        return settings
    }
}

extension ConfigParser {
    /// `metrics.group`: a group name or a whole number (gid); a name must exist on this host.
    static func metricsGroup(_ value: Any?, reader: inout ConfigReader) -> MetricsGroup? {
        guard let value else { return nil }
        let text: String
        if let name = value as? String, !ConfigReader.isBoolean(value) {
            text = name
        } else if let gid = reader.integer(["group": value], "group", at: "$.metrics", minimum: 0) {
            text = String(gid)
        } else {
            return nil
        }
        guard !text.isEmpty, let group = MetricsGroup.resolve(text) else {
            reader.report(
                "$.metrics.group", "no group \"\(text)\" on this host (a group name or number, e.g. \"prometheus\")")
            return nil
        }
        return group
    }
}

extension ConfigReader {
    mutating func boolean(_ object: [String: Any], _ key: String, at path: String) -> Bool? {
        guard let value = object[key] else { return nil }
        guard Self.isBoolean(value), let flag = value as? Bool else {
            report(Self.path(path, key), "expected true or false, found \(Self.kind(of: value))")
            return nil
        }
        return flag
    }
}
