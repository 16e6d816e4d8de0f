/// Everything the simulated Asterisk is set up with: manager users, queues with their static
/// members, the inbound numbers that lead into queues, and the timings of simulated phones.
public struct SimulatorConfiguration: Sendable {
    /// A manager.conf user.
    public struct User: Sendable, Equatable {
        public var username: String
        public var secret: String
        public var read: EventClass
        public var write: EventClass

        public init(username: String, secret: String, read: EventClass = .all, write: EventClass = .all) {
            self.username = username
            self.secret = secret
            self.read = read
            self.write = write
        }
    }

    /// A queues.conf `member => interface,penalty,name,stateinterface` line.
    public struct StaticMember: Sendable, Equatable {
        public var interface: String
        public var name: String
        public var penalty: Int
        public var stateInterface: String

        public init(interface: String, name: String? = nil, penalty: Int = 0, stateInterface: String? = nil) {
            self.interface = interface
            self.name = name ?? interface
            self.penalty = penalty
            self.stateInterface = stateInterface ?? interface
        }
    }

    public struct Queue: Sendable, Equatable {
        public var name: String
        public var strategy: String
        public var members: [StaticMember]

        public init(name: String, strategy: String = "rrmemory", members: [StaticMember] = []) {
            self.name = name
            self.strategy = strategy
            self.members = members
        }
    }

    /// How simulated phones and parties behave; tests shrink these to milliseconds.
    public struct Timings: Sendable, Equatable {
        /// How long an agent phone rings before it answers (`AGENT_RING`).
        public var ringTime: Duration = .seconds(2)
        /// How long an answered agent talks before hanging up (`AGENT_TALK`).
        public var talkTime: Duration = .seconds(30)
        /// How long the outside party of an outbound call rings and talks (`PSTN_RING`, `PSTN_TALK`).
        public var pstnRingTime: Duration = .seconds(2)
        public var pstnTalkTime: Duration = .seconds(10)
        /// How long a queue rings one member before `AgentRingNoAnswer` (queues.conf `timeout`).
        public var queueTimeout: Duration = .seconds(15)
        /// Pause before the queue tries again after a member did not answer (`retry`).
        public var retryTime: Duration = .seconds(2)
        /// Whether phones answer at all; `noAnswer` lists phones that never do.
        public var phonesAnswer = true
        public var noAnswer: Set<String> = []

        public init() {}
    }

    public var users: [User]
    public var queues: [Queue]
    /// Inbound numbers (the exten of `Local/<number>@inbound`) and the queue each leads to.
    public var inboundNumbers: [String: String]
    public var timings: Timings
    /// The version in the greeting line `Asterisk Call Manager/<version>`.
    public var bannerVersion: String
    /// manager.conf `writetimeout`: a session whose output stays blocked this long is dropped.
    public var writeTimeout: Duration
    /// A session whose unsent output grows past this many bytes is dropped at once.
    public var maximumPendingOutput: Int
    /// The pause before `Authentication failed`, as Asterisk's.
    public var authFailureDelay: Duration
    /// queues.conf `persistentmembers`: whether dynamic members survive a restart.
    public var persistentMembers: Bool

    public init(
        users: [User] = [], queues: [Queue] = [], inboundNumbers: [String: String] = [:], timings: Timings = Timings(),
        bannerVersion: String = "11.0.0", writeTimeout: Duration = .milliseconds(100),
        maximumPendingOutput: Int = 16 << 20, authFailureDelay: Duration = .seconds(1), persistentMembers: Bool = false
    ) {
        self.users = users
        self.queues = queues
        self.inboundNumbers = inboundNumbers
        self.timings = timings
        self.bannerVersion = bannerVersion
        self.writeTimeout = writeTimeout
        self.maximumPendingOutput = maximumPendingOutput
        self.authFailureDelay = authFailureDelay
        self.persistentMembers = persistentMembers
    }

    /// The built-in set-up: the users and queues of the recorded Asterisk (see the transcripts'
    /// README) plus the daemon's sample user.
    public static var standard: SimulatorConfiguration {
        SimulatorConfiguration(
            users: [
                User(username: "ccagentd", secret: "change-me"),
                User(username: "ccd", secret: "ccdsecret"),
                User(username: "ccd-readonly", secret: "readonlysecret", read: [.call, .agent], write: [.reporting]),
            ],
            queues: [
                Queue(name: "sales"),
                Queue(name: "support-private"),
                Queue(
                    name: "support-business",
                    members: [
                        StaticMember(
                            interface: "Local/199@agents/n", name: "Static Agent 199", penalty: 0,
                            stateInterface: "Custom:agent199")
                    ]),
            ],
            inboundNumbers: ["5000": "sales", "5001": "support-private", "5002": "support-business"])
    }

    func user(named name: String) -> User? { users.first { $0.username == name } }
}
