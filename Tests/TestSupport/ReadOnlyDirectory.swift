#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A directory in which this process may not create files, even as root: a read-only tmpfs
/// mounted on it (root with CAP_SYS_ADMIN), or mode 0555 (anyone else). Nil when neither can be
/// had (root without the capability): tests that need one say so by `isPossible`.
public final class ReadOnlyDirectory {
    public let path: String
    private let mounted: Bool

    public init?(at path: String) {
        guard mkdir(path, 0o755) == 0 else { return nil }
        self.path = path
        if geteuid() != 0 {
            mounted = false
            chmod(path, 0o555)
            return
        }
        guard mount("tmpfs", path, "tmpfs", UInt(MS_RDONLY), "size=64k") == 0 else {
            rmdir(path)
            return nil
        }
        mounted = true
    }

    private var removed = false

    /// Unmounts and removes it; again does nothing. Call it before removing what holds it.
    public func remove() {
        guard !removed else { return }
        removed = true
        if mounted { umount2(path, Int32(MNT_DETACH)) } else { chmod(path, 0o755) }
        rmdir(path)
    }

    deinit { remove() }

    /// Whether one can be made here.
    public static let isPossible: Bool = {
        let probe = NSTemporaryDirectory() + "ccagentd-ro-probe-" + UUID().uuidString.prefix(8).lowercased()
        guard let directory = ReadOnlyDirectory(at: probe) else { return false }
        directory.remove()
        return true
    }()
}
