import Foundation
import Testing
@testable import PathwayGateway

/// Defect 8: the real binary speaks sd_notify to a datagram socket the test holds, as systemd would
/// with `Type=notify` and `WatchdogSec=`: READY=1 once it takes files, WATCHDOG=1 at least every
/// half interval, STOPPING=1 on SIGTERM.
@Suite struct SystemdNotifyTests {
    /// A bound `AF_UNIX` datagram socket with a receive timeout.
    final class NotifySocket {
        let path: String
        let fd: Int32

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard fd >= 0, bound == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            unlink(path)
        }

        /// Datagrams received until `done` says enough or `seconds` pass.
        func receive(for seconds: Double, until done: ([String]) -> Bool) -> [String] {
            var messages: [String] = []
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while Date() < deadline && !done(messages) {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0 { messages.append(String(decoding: buffer[..<count], as: UTF8.self)) }
            }
            return messages
        }
    }

    @Test func readyWatchdogAndStopping() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        let notify = try NotifySocket(path: ws.root.appendingPathComponent("notify.sock").path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binary)
        process.arguments = ["run"]
        process.currentDirectoryURL = ws.root
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["PATHWAY_GATEWAY_CONFIG": "", "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"]) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let started = notify.receive(for: 20) { $0.contains { $0.contains("READY=1") } }
        #expect(started.contains { $0.split(separator: "\n").contains("READY=1") }, "\(started)")
        // The spool lock is held by the time READY=1 is sent: systemd may start dependants now.
        #expect((try? SpoolLock.probe(ws.root.appendingPathComponent("spool/state/gateway.lock").path))
            == .process(pid: process.processIdentifier))
        let pings = notify.receive(for: 3) { $0.filter { $0 == "WATCHDOG=1" }.count >= 4 }
        #expect(pings.filter { $0 == "WATCHDOG=1" }.count >= 4, "every 100 ms with WATCHDOG_USEC=200000: \(pings)")

        kill(process.processIdentifier, SIGTERM)
        let stopping = notify.receive(for: 10) { $0.contains { $0.hasPrefix("STOPPING=1") } }
        #expect(stopping.contains { $0.hasPrefix("STOPPING=1") }, "\(stopping)")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// A watchdog meant for another process (`WATCHDOG_PID`) or no socket at all: nothing is sent.
    @Test func watchdogOnlyForItsProcess() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        let notify = try NotifySocket(path: ws.root.appendingPathComponent("n.sock").path)
        let other = SystemdNotifier(environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"])
        other.watchdogIfDue()
        #expect(notify.receive(for: 0.3) { !$0.isEmpty }.isEmpty)
        let mine = SystemdNotifier(environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"])
        mine.watchdogIfDue()
        mine.watchdogIfDue()  // within half the interval: not sent again
        #expect(notify.receive(for: 0.5) { $0.count >= 2 } == ["WATCHDOG=1"])
        #expect(!SystemdNotifier(environment: [:]).isActive)
    }
}
