#if canImport(Glibc)
    import Glibc
#endif

/// A personal identifier asked of the operator: read from standard input, never taken as an
/// argument (a command line is visible to every user in `ps`, and kept by shell history and
/// auditd). On a terminal the prompt goes to stderr and the typed digits are not echoed.
enum SecretInput {
    /// One line from standard input without its newline; nil at end of input.
    static func readLine(prompt: String) -> String? {
        guard isatty(0) == 1 else { return Swift.readLine(strippingNewline: true) }
        var saved = termios()
        let canHide = tcgetattr(0, &saved) == 0
        if canHide {
            var hidden = saved
            hidden.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(0, TCSAFLUSH, &hidden)
        }
        writeToStderr(prompt)
        defer {
            if canHide { _ = tcsetattr(0, TCSAFLUSH, &saved) }
            writeToStderr("\n")
        }
        return Swift.readLine(strippingNewline: true)
    }

    private static func writeToStderr(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
