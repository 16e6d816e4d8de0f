/// The exit statuses of ccagentctl, which scripts may rely on (sysexits.h numbers where one fits).
public enum ExitStatus {
    public static let success: Int32 = 0
    /// The daemon refused the request (a 4xx answer other than 401 and 403), or a local step
    /// failed (hash-password's two entries differ).
    public static let refused: Int32 = 1
    /// EX_USAGE: the command line is wrong.
    public static let usage: Int32 = 64
    /// EX_UNAVAILABLE: the daemon is unreachable, timed out, failed (5xx) or answered something
    /// that is not its API.
    public static let unavailable: Int32 = 69
    /// EX_NOPERM: not authorized (401, 403), or no permission to open the socket.
    public static let notAuthorized: Int32 = 77
}
