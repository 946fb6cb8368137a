import PathwayGateway

/// What `run` says about files it had to leave waiting (spec §8: an operator problem, said until
/// fixed, never a rejection).
extension RunCommand {
    /// One line per intake problem as it appears (warn), while it lasts (warn, every 15 minutes)
    /// and when it clears (info).
    static func logIntake(_ change: IntakeHealth.Change, logger: GatewayLogger) {
        for problem in change.appeared + change.repeated {
            logger.warn("files wait in an inbox", fields(problem))
        }
        for problem in change.cleared {
            logger.info("inbox problem cleared", fields(problem))
        }
    }

    /// `run --once`: whether it leaves files waiting (each logged), which makes its exit status 1.
    static func leftWaiting(_ daemon: GatewayDaemon, logger: GatewayLogger) throws -> Bool {
        let problems = daemon.intake.problems
        for problem in problems { logger.error("files left waiting", fields(problem)) }
        let heldBack = try daemon.heldBackCount()
        if heldBack > 0 {
            logger.error("messages left held back (decided, waiting for their outputs)", ["messages": .int(heldBack)])
        }
        return !problems.isEmpty || heldBack > 0
    }

    private static func fields(_ problem: IntakeHealth.Problem) -> KeyValuePairs<String, LogValue> {
        ["partner": "\(problem.partner)", "kind": "\(problem.kind.rawValue)", "path": "\(problem.path)",
         "files": .int(problem.files), "error": "\(problem.error)"]
    }
}
