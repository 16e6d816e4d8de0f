import Testing

/// ccagentd and amisim as real processes, driven over AMI the way Asterisk and its phones would.
/// One test at a time: each starts two processes and waits on real timers, and on two cores a
/// neighbour's burst would only make the timings noisy. A test still running after three minutes
/// fails with a message rather than hold up the run.
@Suite(.serialized, .timeLimit(.minutes(3))) enum EndToEnd {}

enum Agents {
    static let dana = "dana@example.com"
    static let eli = "eli@example.com"
    static let noa = "noa@example.com"
    static let omer = "omer@example.com"
}
