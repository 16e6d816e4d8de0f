#if canImport(Glibc)
import Glibc
#endif

/// The file a Unix-domain listener of ours was bound to, remembered so that removing it later
/// removes that file only: never one another process bound at the same path since. The inode
/// alone would not do (ext4 hands a freed inode number to the next file at once); with the
/// change time to the nanosecond, only a file made in the same clock tick could pass for ours.
public struct LocalSocketFile: Sendable, Equatable {
    public let path: String
    let identity: Identity

    struct Identity: Sendable, Equatable {
        var device: UInt64
        var inode: UInt64
        var changedSeconds: Int
        var changedNanoseconds: Int

        init?(of path: String) {
            var status = stat()
            guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK else { return nil }
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            changedSeconds = Int(status.st_ctim.tv_sec)
            changedNanoseconds = Int(status.st_ctim.tv_nsec)
        }
    }

    /// The socket now at `path`, just bound (and given its mode) by us; nil when there is none.
    public init?(boundAt path: String) {
        guard let identity = Identity(of: path) else { return nil }
        self.path = path
        self.identity = identity
    }

    /// Removes the file if it is still ours. Call it while the listener is still open: then no
    /// other daemon can have judged the path stale and taken it in between.
    @discardableResult
    public func remove() -> Bool {
        guard Identity(of: path) == identity else { return false }
        return unlink(path) == 0
    }
}
