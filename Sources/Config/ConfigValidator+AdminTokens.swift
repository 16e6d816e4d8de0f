extension ConfigValidator {
    /// `admin_tokens = FILE`: reads the token file, relative to the file the key is written in
    /// (as `#include` is). A file every user may read is refused: it holds secrets.
    mutating func readAdminTokens(_ section: INISection, _ entry: INIEntry, into settings: inout APISettings) {
        let path = ConfigPath.resolve(entry.value, relativeTo: entry.location.file)
        settings.adminTokensFile = path
        if let mode = fileReader.permissions(of: path), mode & 0o004 != 0 {
            errors.append(error(.readableByAll(path: path, mode: mode), section, entry))
            return
        }
        let bytes: [UInt8]
        do {
            bytes = try fileReader.contents(of: path)
        } catch {
            errors.append(self.error(.unreadable(path: path, reason: error.reason), section, entry))
            return
        }
        let (tokens, problems) = AdminTokenFile.parse(bytes, file: path)
        settings.adminTokens = tokens
        errors += problems
    }
}
