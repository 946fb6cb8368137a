import Foundation

/// Polls `condition` every 20 ms until it holds or `seconds` pass; the end-to-end tests' one way to
/// wait for the real daemon (a file to appear, a log line, a status change).
func eventually(_ seconds: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
