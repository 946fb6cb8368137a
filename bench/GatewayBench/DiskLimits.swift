import Foundation
import PathwayGateway

/// This machine's own limits for the spool's filesystem, measured with the gateway's own file
/// primitives on 4 kB files: one durable file at a time (temp, fsync, rename, fsync of the
/// directory: what a non-batching gateway pays per output), and batches of 256 (staged without
/// fsync, one syncfs, renamed, one syncfs: the group-commit path).
enum DiskLimits {
    static func run(count: Int, under directory: String?) throws {
        let parent = directory ?? FileManager.default.temporaryDirectory.path
        let root = "\(parent)/pg-disk-\(UUID().uuidString)"
        try DurableFile.ensureDirectory(root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 4_096)
        let single = try DrainThroughput.timed {
            for i in 0..<count { try DurableFile.write(bytes, to: "\(root)/single-\(i).xml") }
        }
        let batched = try DrainThroughput.timed {
            for start in stride(from: 0, to: count, by: 256) {
                let temps = try (start..<min(count, start + 256)).map {
                    (
                        "\(root)/batch-\($0).xml",
                        try DurableFile.stage(bytes, for: "\(root)/batch-\($0).xml", sync: false)
                    )
                }
                try DurableFile.syncFileSystem(containing: root)
                for (final, temp) in temps { try DurableFile.publish(temp, as: final) }
                try DurableFile.syncFileSystem(containing: root)
            }
        }
        print(
            String(
                format:
                    "disk %@: %.0f files/s one at a time (write+fsync+rename+fsync dir); %.0f files/s in batches of 256 (syncfs)",
                parent, Double(count) / single.seconds, Double(count) / batched.seconds))
    }
}
