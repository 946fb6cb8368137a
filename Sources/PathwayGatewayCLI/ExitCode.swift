/// The CLI's exit status. Why a type: scripts and monitoring act on these three values (status's
/// 1 pages an operator, 2 means "fix the invocation or the setup"), so a command names the meaning
/// it returns instead of a bare number that could drift from the convention.
enum ExitCode: Int32, Error {
    /// Done, and whatever was checked holds.
    case success = 0
    /// The command ran and what it checks does not hold: a rejected file, a broken audit chain, an
    /// unhealthy gateway, a problem in the config, nothing found.
    case checkFailed = 1
    /// A usage error, or the command could not run (config or database unreadable, I/O error).
    case cannotRun = 2
}
