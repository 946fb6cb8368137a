internal import CCrypto

/// SHA-256 through OpenSSL's libcrypto (EVP, the non-deprecated interface): no hand-written
/// cryptography. Used for the file digests in the audit log and duplicate detection.
enum SHA256 {
    static func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = output.withUnsafeMutableBufferPointer { out in
            EVP_Digest(bytes.baseAddress, bytes.count, out.baseAddress, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA-256) failed")
        return output
    }

    /// A digest fed in pieces, for a file too large to hold (an oversize inbound file's audit record).
    final class Incremental {
        private let context: OpaquePointer

        init() {
            context = EVP_MD_CTX_new()
            precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "EVP_DigestInit_ex(SHA-256) failed")
        }

        deinit { EVP_MD_CTX_free(context) }

        func update(_ bytes: UnsafeRawBufferPointer) {
            precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1, "EVP_DigestUpdate failed")
        }

        func finalHex() -> String {
            var output = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            precondition(
                EVP_DigestFinal_ex(context, &output, &length) == 1 && length == 32, "EVP_DigestFinal_ex failed")
            return SHA256.hex(digest: output)
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        hex(digest: bytes.withUnsafeBytes { digest($0) })
    }

    static func hex(digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(digest.count * 2)
        for byte in digest { out += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }
}
