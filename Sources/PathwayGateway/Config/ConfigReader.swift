import Foundation

/// A typed walk over a `JSONSerialization` tree that records a `ConfigProblem` for every unknown key,
/// missing key and wrong type instead of throwing, so one pass reports everything.
///
/// Codable is not used because it stops at the first error and silently ignores unknown keys, and
/// an ignored misspelt key (`"schemaPolicey": "lenient"`) would quietly change how a partner is treated.
struct ConfigReader {
    private(set) var problems: [ConfigProblem] = []

    mutating func report(_ path: String, _ message: String, line: Int? = nil) {
        problems.append(ConfigProblem(path: path, message: message, line: line))
    }

    /// `value` as an object, reporting keys outside `known` and absent `required` keys.
    mutating func object(_ value: Any, at path: String, known: [String], required: [String]) -> [String: Any]? {
        guard let object = value as? [String: Any] else {
            report(path, "expected an object, found \(Self.kind(of: value))")
            return nil
        }
        for key in object.keys.sorted() where !known.contains(key) {
            report(Self.path(path, key), "unknown key \"\(key)\" (known here: \(known.joined(separator: ", ")))")
        }
        for key in required where object[key] == nil {
            report(Self.path(path, key), "missing required key \"\(key)\"")
        }
        return object
    }

    mutating func array(_ object: [String: Any], _ key: String, at path: String) -> [Any]? {
        guard let value = object[key] else { return nil }
        guard let array = value as? [Any] else {
            report(Self.path(path, key), "expected an array, found \(Self.kind(of: value))")
            return nil
        }
        return array
    }

    mutating func string(_ object: [String: Any], _ key: String, at path: String) -> String? {
        guard let value = object[key] else { return nil }
        return string(value, at: Self.path(path, key))
    }

    mutating func string(_ value: Any, at path: String) -> String? {
        guard let string = value as? String else {
            report(path, "expected a string, found \(Self.kind(of: value))")
            return nil
        }
        return string
    }

    /// A whole number ≥ `minimum`; `2.0` is accepted, `2.5`, `true` and `"2"` are not.
    mutating func integer(_ object: [String: Any], _ key: String, at path: String, minimum: Int) -> Int? {
        guard let value = object[key] else { return nil }
        let here = Self.path(path, key)
        guard let number = Self.number(value), number.rounded() == number, abs(number) < 9e15 else {
            report(here, "expected a whole number, found \(Self.kind(of: value))")
            return nil
        }
        guard Int(number) >= minimum else {
            report(here, "must be at least \(minimum), found \(Int(number))")
            return nil
        }
        return Int(number)
    }

    mutating func positiveNumber(_ object: [String: Any], _ key: String, at path: String) -> Double? {
        guard let value = object[key] else { return nil }
        let here = Self.path(path, key)
        guard let number = Self.number(value) else {
            report(here, "expected a number, found \(Self.kind(of: value))")
            return nil
        }
        guard number > 0, number.isFinite else {
            report(here, "must be greater than 0, found \(number)")
            return nil
        }
        return number
    }

    /// A non-empty string of ASCII digits; HER-ids and kommunenummer are addresses, not numbers,
    /// so `8150010` (a JSON number) is reported rather than converted.
    mutating func digits(_ value: Any, at path: String, what: String, count: Int? = nil) -> String? {
        guard let text = string(value, at: path) else { return nil }
        let allDigits = !text.isEmpty && text.utf8.allSatisfy { (48...57).contains($0) }
        if let count, !(allDigits && text.utf8.count == count) {
            report(path, "\(what) must be \(count) digits, found \"\(text)\"")
            return nil
        }
        guard allDigits else {
            report(path, "\(what) must be a string of digits, found \"\(text)\"")
            return nil
        }
        return text
    }

    static func path(_ base: String, _ key: String) -> String { "\(base).\(key)" }
    static func path(_ base: String, _ index: Int) -> String { "\(base)[\(index)]" }

    /// JSON booleans arrive as NSNumber too; tell them apart by their storage type.
    static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c" || type(of: value) == Bool.self
    }

    static func number(_ value: Any) -> Double? {
        guard !isBoolean(value), let number = value as? NSNumber else { return nil }
        return number.doubleValue
    }

    /// How a JSON value is described in messages: `a string ("x")`, `a number (3)`, `null`.
    static func kind(of value: Any) -> String {
        if value is NSNull { return "null" }
        if isBoolean(value) { return "a boolean" }
        if let string = value as? String { return "a string (\"\(string.prefix(40))\")" }
        if let number = value as? NSNumber { return "a number (\(number))" }
        if value is [Any] { return "an array" }
        if value is [String: Any] { return "an object" }
        return "\(type(of: value))"
    }
}
