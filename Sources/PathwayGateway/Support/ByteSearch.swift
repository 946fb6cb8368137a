internal import CSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The one byte search: where a byte, or a run of bytes, first occurs in a buffer.
///
/// Why: libc's `memchr` and `memmem` (the latter declared by `CSystem`) scan a word at a time and
/// are fast in debug builds too, while `firstIndex(of:)` and `firstRange(of:)` on byte arrays go
/// through generic code (for `[UInt8]` the latter resolves to Foundation's unspecialised
/// `DataProtocol` search, which perf put at 7 % of a drain's CPU). Offsets in and out are counted
/// from the start of the buffer, so callers never see a pointer.
enum ByteSearch {
    /// The offset of the first `byte` in `buffer[from..<to]`, or nil.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in buffer: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard from < to, let base = buffer.baseAddress else { return nil }
        return memchr(base + from, Int32(byte), to - from).map { base.distance(to: UnsafeRawPointer($0)) }
    }

    /// The offset where `needle` first starts in `buffer[from..<to]`, lying wholly inside; nil when
    /// it does not occur (an empty needle occurs at `from`).
    @inline(__always)
    static func firstIndex(of needle: [UInt8], in buffer: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard !needle.isEmpty else { return from <= to ? from : nil }
        guard from < to, let base = buffer.baseAddress else { return nil }
        return needle.withUnsafeBytes { key in
            memmem(base + from, to - from, key.baseAddress, key.count).map { base.distance(to: UnsafeRawPointer($0)) }
        }
    }

    /// The index of the first `byte` in `bytes[from..<to]`, or nil.
    static func firstIndex(of byte: UInt8, in bytes: [UInt8], from: Int, to: Int) -> Int? {
        bytes.withUnsafeBytes { firstIndex(of: byte, in: $0, from: from, to: to) }
    }

    /// The index where `needle` first starts in `bytes[from..<to]`, lying wholly inside, or nil.
    static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int = 0, to: Int? = nil) -> Int? {
        bytes.withUnsafeBytes { firstIndex(of: needle, in: $0, from: from, to: to ?? $0.count) }
    }

    /// Whether `needle` occurs in `haystack` (an empty needle always does).
    static func contains(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Bool {
        needle.isEmpty || haystack.withUnsafeBytes { firstIndex(of: needle, in: $0, from: 0, to: $0.count) != nil }
    }
}
