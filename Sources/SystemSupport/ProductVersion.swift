/// The version of ccagentd, ccagentctl and the Debian package (Scripts/package-deb.sh reads it
/// from `ccagentd --version`): the one place to change for a release.
public enum ProductVersion {
    public static let current = "0.1.0"
}
