public import AgentCore
public import Config

/// A copy of the daemon's state at one moment.
public struct DaemonSnapshot: Sendable {
    public var machine: AgentStateMachine
    public var settings: LoadedConfiguration
    public var metrics: DaemonMetrics
    public var ami: AsteriskLink
    public var storeWritable: Bool
    /// Queue actions sent and not yet answered.
    public var inFlight: Int

    public init(
        machine: AgentStateMachine, settings: LoadedConfiguration, metrics: DaemonMetrics, ami: AsteriskLink, storeWritable: Bool,
        inFlight: Int
    ) {
        self.machine = machine
        self.settings = settings
        self.metrics = metrics
        self.ami = ami
        self.storeWritable = storeWritable
        self.inFlight = inFlight
    }
}
