/// A small, strict argument reader: `--flag`, `--option value` / `--option=value`, positionals.
/// Unknown options are usage errors, so a typo never silently changes behaviour.
struct CommandLineArguments {
    private(set) var flags: Set<String> = []
    private(set) var options: [String: String] = [:]
    private(set) var positionals: [String] = []

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    init(_ arguments: some Sequence<String>, flags allowedFlags: Set<String>, options allowedOptions: Set<String>)
        throws
    {
        var iterator = arguments.makeIterator()
        var onlyPositionals = false
        while let argument = iterator.next() {
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
            } else if argument == "--" {
                onlyPositionals = true
            } else if let equals = argument.firstIndex(of: "=") {
                let name = String(argument[..<equals])
                guard allowedOptions.contains(name) else { throw UsageError(description: "unknown option \(name)") }
                options[name] = String(argument[argument.index(after: equals)...])
            } else if allowedFlags.contains(argument) || argument == "--help" || argument == "-h" {
                flags.insert(argument == "-h" ? "--help" : argument)
            } else if allowedOptions.contains(argument) {
                guard let value = iterator.next() else { throw UsageError(description: "\(argument) needs a value") }
                options[argument] = value
            } else {
                throw UsageError(description: "unknown option \(argument)")
            }
        }
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }
    subscript(option: String) -> String? { options[option] }
}
