import Foundation
import Testing
@testable import PathwayGateway

@Suite struct TimeOrderedIDTests {
    /// Valid UUIDv7 text, ordered by creation time (what keeps database inserts at the B-tree's edge).
    @Test func isAVersion7UUIDOrderedByTime() throws {
        let earlier = TimeOrderedID.make(now: Date(timeIntervalSince1970: 1_795_000_000))
        let later = TimeOrderedID.make(now: Date(timeIntervalSince1970: 1_795_000_000.002))
        for id in [earlier, later] {
            #expect(UUID(uuidString: id) != nil)
            #expect(id == id.lowercased() && id.count == 36)
            #expect(Array(id)[14] == "7", "version 7")
            #expect("89ab".contains(Array(id)[19]), "RFC 9562 variant")
        }
        #expect(earlier < later)
        #expect(earlier.hasPrefix("01a1ee56-5e00-7"), "48-bit milliseconds first: \(earlier)")
        #expect(Set((0..<1_000).map { _ in TimeOrderedID.make() }).count == 1_000)
    }
}
