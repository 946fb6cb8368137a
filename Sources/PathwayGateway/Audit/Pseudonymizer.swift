internal import CCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Turns a patient's identity number into a keyed pseudonym (HMAC-SHA256 under a secret key), so
/// the audit log can follow one patient without ever holding the fødselsnummer. The key is created
/// at first start (32 random bytes, file mode 0600) and never written anywhere else.
public struct Pseudonymizer: Sendable {
    private let key: [UInt8]

    public init(key: [UInt8]) { self.key = key }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case keyFile(path: String, errno: Int32)
        case badKey(path: String, length: Int)
        public var description: String {
            switch self {
            case let .keyFile(path, code): "pseudonym key \(path): \(String(cString: strerror(code)))"
            case let .badKey(path, length): "pseudonym key \(path) has \(length) bytes, expected 32"
            }
        }
    }

    /// Loads the key at `path`, creating it (0600, exclusively) when absent.
    public static func loadOrCreate(keyAt path: String) throws(Failure) -> Pseudonymizer {
        var key = [UInt8](repeating: 0, count: 32)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            defer { close(fd) }
            guard RAND_bytes(&key, 32) == 1 else { throw .keyFile(path: path, errno: EIO) }
            guard write(fd, key, 32) == 32, fsync(fd) == 0 else { throw .keyFile(path: path, errno: errno) }
            return Pseudonymizer(key: key)
        }
        guard errno == EEXIST else { throw .keyFile(path: path, errno: errno) }
        let rfd = open(path, O_RDONLY | O_CLOEXEC)
        guard rfd >= 0 else { throw .keyFile(path: path, errno: errno) }
        defer { close(rfd) }
        let n = read(rfd, &key, 32)
        guard n == 32 else { throw .badKey(path: path, length: max(n, 0)) }
        return Pseudonymizer(key: key)
    }

    /// "p-" and the first 16 bytes of HMAC-SHA256(key, identity), in hex.
    public func pseudonym(for identity: String) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let data = Array(identity.utf8)
        _ = HMAC(EVP_sha256(), key, Int32(key.count), data, data.count, &out, &length)
        return "p-" + SHA256.hex(digest: Array(out.prefix(16)))
    }
}
