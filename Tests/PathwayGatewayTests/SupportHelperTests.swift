import Foundation
import Testing
@testable import PathwayGateway

/// The one-home helpers of `Support/`: each gives what the code it replaced gave.
@Suite struct SupportHelperTests {
    /// The hand-written formats and parsers agree with Foundation's ISO 8601 formatter.
    @Test(arguments: [0.0, 1_795_000_000.123, 1_795_000_000.9996, 951_782_400.5, 4_102_444_799.999, -1.5])
    func timestampsMatchFoundation(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let wholeSeconds = ISO8601DateFormatter()
        #expect(Timestamp.rfc3339(date) == withFraction.string(from: date))
        #expect(Timestamp.rfc3339Seconds(date) == wholeSeconds.string(from: date))
        let text = Timestamp.rfc3339(date)
        let parsed = try #require(Timestamp.date(rfc3339: text))
        let foundation = try #require(withFraction.date(from: text))
        #expect(abs(parsed.timeIntervalSince(foundation)) < 0.000_001)
    }

    /// Text off the canonical shape goes to Foundation's parser: offsets, and nonsense refused.
    @Test func timestampParsingBeyondTheCanonicalShape() {
        #expect(Timestamp.date(rfc3339: "2026-11-23T13:00:00.500+01:00") == Date(timeIntervalSince1970: 1_795_435_200.5))
        #expect(Timestamp.date(rfc3339: "2026-02-30T12:00:00.000Z") == ISO8601DateFormatter.fractional.date(from: "2026-02-30T12:00:00.000Z"))
        #expect(Timestamp.date(rfc3339: "not a time") == nil)
        #expect(Timestamp.date(rfc3339Seconds: "2026-11-23T12:00:00Z") == Date(timeIntervalSince1970: 1_795_435_200))
        #expect(Timestamp.compactUTC(Date(timeIntervalSince1970: 1_795_435_200.9)) == "20261123-120000")
        #expect(Timestamp.osloLocal(Date(timeIntervalSince1970: 1_795_435_200)) == "2026-11-23T13:00:00")
    }

    @Test func byteSearch() {
        let bytes = Array("ab-->cd]]>ef-->".utf8)
        #expect(ByteSearch.firstIndex(of: Array("-->".utf8), in: bytes) == 2)
        #expect(ByteSearch.firstIndex(of: Array("-->".utf8), in: bytes, from: 3) == 12)
        #expect(ByteSearch.firstIndex(of: Array("-->".utf8), in: bytes, from: 3, to: 14) == nil, "must lie wholly inside")
        #expect(ByteSearch.firstIndex(of: UInt8(ascii: "e"), in: bytes, from: 0, to: bytes.count) == 10)
        #expect(ByteSearch.firstIndex(of: UInt8(ascii: "e"), in: bytes, from: 0, to: 10) == nil)
        #expect(ByteSearch.contains([], in: [][...]))
        #expect(ByteSearch.contains(Array("]]>".utf8), in: bytes[...]))
        #expect(!ByteSearch.contains(Array("]]]".utf8), in: bytes[...]))
        #expect(!ByteSearch.contains(Array("x".utf8), in: [][...]))
    }

    @Test func jsonStringEscapesWhatTheAuditLogEscapes() {
        #expect(JSONString.quoted("plain æ") == "\"plain æ\"")
        #expect(JSONString.quoted("q\" b\\ n\n t\t \u{8}\u{C}\u{1}") == #""q\" b\\ n\n t\t \b\f\u0001""#)
    }

    @Test func interruptedCallsReturnTheirResult() {
        var calls = 0
        let result = SystemCall.retryingInterrupts { () -> Int32 in
            calls += 1
            if calls < 3 { errno = EINTR; return -1 }
            return 7
        }
        #expect(result == 7 && calls == 3)
        let failed = SystemCall.retryingInterrupts { () -> Int in errno = EBADF; return -1 }
        #expect(failed == -1 && errno == EBADF)
    }
}

private extension ISO8601DateFormatter {
    static var fractional: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
