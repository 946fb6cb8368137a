import Foundation

/// Finds the `Schemas/` directory holding our XSD set, so a fresh checkout, an installed package
/// and a container image all work without configuration.
///
/// Order: an explicit path (flag or config), `$PATHWAY_GATEWAY_SCHEMAS`, a `Schemas/` directory next
/// to or above the executable (a checkout's `.build/<config>/pathway-gateway`),
/// `/usr/share/pathway-gateway/Schemas`, and `./Schemas`.
public enum SchemaLocator {
    static let driverFileName = "pathway-gateway.xsd"

    static func candidates(explicit: String? = nil) -> [String] {
        var list: [String] = []
        if let explicit { list.append(explicit) }
        if let env = ProcessInfo.processInfo.environment["PATHWAY_GATEWAY_SCHEMAS"], !env.isEmpty { list.append(env) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            for _ in 0..<6 {
                list.append(dir.appendingPathComponent("Schemas").path)
                list.append(dir.appendingPathComponent("share/pathway-gateway/Schemas").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        list.append("/usr/share/pathway-gateway/Schemas")
        list.append(FileManager.default.currentDirectoryPath + "/Schemas")
        return list
    }

    /// Path of the driver schema, or nil with the places looked at.
    static func locateDriver(explicit: String? = nil) -> Result<String, SchemaLocatorError> {
        let places = candidates(explicit: explicit)
        for dir in places {
            let path = dir.hasSuffix(".xsd") ? dir : dir + "/" + driverFileName
            if FileManager.default.isReadableFile(atPath: path) { return .success(path) }
        }
        return .failure(SchemaLocatorError(searched: places))
    }

    /// Locates and compiles the schema set.
    public static func load(explicit: String? = nil) throws -> SchemaSet {
        let path = try locateDriver(explicit: explicit).get()
        return try SchemaSet(driverAt: path)
    }
}

struct SchemaLocatorError: Error, CustomStringConvertible {
    var searched: [String]
    var description: String {
        "schema set \(SchemaLocator.driverFileName) not found; looked in: " + searched.joined(separator: ", ")
            + " (set PATHWAY_GATEWAY_SCHEMAS to the Schemas directory)"
    }
}
