/// What the service says in the log besides its own start and stop lines.
extension GatewayService {
    /// The configuration, or nil with every problem logged, one per line naming its place.
    func loadConfig(_ message: String) -> GatewayConfig? {
        do {
            return try ConfigLoader.load(source)
        } catch let ConfigError.invalid(file, problems) {
            for problem in problems {
                logger.error(
                    message,
                    [
                        "file": "\(file)", "line": problem.line.map { .int($0) } ?? "", "path": "\(problem.path)",
                        "problem": "\(problem.message)",
                    ])
            }
        } catch {
            logger.error(message, ["error": "\(error)"])
        }
        return nil
    }

    /// Finishes interrupted work; false (logged) when a fault stopped it.
    func recover(_ daemon: GatewayDaemon) -> Bool {
        do {
            try recoverOrThrow(daemon)
            return true
        } catch {
            logger.error("recovery failed; retrying with backoff", ["error": "\(error)"])
            return false
        }
    }

    func recoverOrThrow(_ daemon: GatewayDaemon) throws {
        let recovered = try daemon.recover()
        if recovered > 0 { logger.info("recovered interrupted messages", ["messages": .int(recovered)]) }
    }

    /// A reminder tick (spec §9): files written (info), windows no reminder could be written for
    /// (warn, once each: the row with its note keeps them from coming back), a failure (error;
    /// the next tick tries again). Pseudonyms only, never an identity.
    @discardableResult
    func logReminders(_ result: Result<ReminderSweep.Outcome?, any Error>) -> Result<ReminderSweep.Outcome?, any Error>
    {
        switch result {
        case let .success(outcome?):
            if outcome.written > 0 {
                logger.info(
                    "reminders written", ["files": .int(outcome.written), "rewritten": .int(outcome.rewritten)])
            }
            for note in outcome.notes {
                logger.warn(
                    "reminder not sent",
                    ["patient": "\(note.pseudonym)", "event": "\(note.event)", "reason": "\(note.reason)"])
            }
        case .success(nil):
            break
        case let .failure(error):
            logger.error("reminder tick failed; trying again at the next tick", ["error": "\(error)"])
        }
        return result
    }

    /// What keeps files in inboxes (spec §8: an operator problem, said until fixed, never a
    /// rejection): one line per problem as it appears (warn), while it lasts (warn, every 15
    /// minutes) and when it clears (info).
    func logIntake(_ change: IntakeHealth.Change) {
        for problem in change.appeared + change.repeated {
            logger.warn("files wait in an inbox", fields(problem))
        }
        for problem in change.cleared {
            logger.info("inbox problem cleared", fields(problem))
        }
    }

    /// The showings of identities could not be folded into the audit log (the log is retried on
    /// every pass; said once per problem).
    static func logIdentityAccess(_ error: any Error, _ logger: GatewayLogger) {
        logger.error(
            "identity access log not folded into the audit log; retried on the next pass", ["error": "\(error)"])
    }

    /// `--once`: whether it leaves files waiting (each logged), which makes its exit status 1.
    func leftWaiting(_ daemon: GatewayDaemon) throws -> Bool {
        let problems = daemon.intake.problems
        for problem in problems { logger.error("files left waiting", fields(problem)) }
        let heldBack = try daemon.heldBackCount()
        if heldBack > 0 {
            logger.error("messages left held back (decided, waiting for their outputs)", ["messages": .int(heldBack)])
        }
        return !problems.isEmpty || heldBack > 0
    }

    private func fields(_ problem: IntakeHealth.Problem) -> KeyValuePairs<String, LogValue> {
        [
            "partner": "\(problem.partner)", "kind": "\(problem.kind.rawValue)", "path": "\(problem.path)",
            "files": .int(problem.files), "error": "\(problem.error)",
        ]
    }
}
