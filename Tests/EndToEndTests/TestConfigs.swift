/// Configuration files the tests write: short timings, everything in the test's directory.
enum TestConfigs {
    /// amisim with calls short enough to watch.
    static func amisim(persistentMembers: Bool = false) -> String {
        """
        [general]
        write_timeout = 2000
        auth_failure_delay = 100
        persistent_members = \(persistentMembers ? "yes" : "no")
        ring_time = 0.3
        talk_time = 2
        pstn_ring_time = 0.3
        pstn_talk_time = 2
        queue_timeout = 5
        retry_time = 1

        [inbound]
        5000 => sales
        5001 => support-private
        5002 => support-business

        [ccagentd]
        secret = change-me
        read = all
        write = all

        [ccd]
        secret = ccdsecret
        read = all
        write = all

        [sales]
        strategy = rrmemory

        [support-private]
        strategy = rrmemory

        [support-business]
        strategy = rrmemory
        member => Local/199@agents/n,0,Static Agent 199,Custom:agent199

        """
    }

    /// The daemon's file. `users` is the text of the user sections (see `users(...)`).
    static func daemon(
        port: Int, database: String, logFormat: String = "text", pingInterval: Int = 1, breakTimeout: Int = 2,
        paperworkTimeout: Int = 2, users: String = users(), listen: String = "127.0.0.1:0", api: String = ""
    ) -> String {
        """
        ; written by EndToEndTests
        [general]
        type = general
        database = \(database)
        log_format = \(logFormat)
        log_level = info

        [api]
        type = api
        listen = \(listen)
        \(api)

        [pbx]
        type = ami
        host = 127.0.0.1
        port = \(port)
        username = ccagentd
        secret = change-me
        ping_interval = \(pingInterval)
        auth = md5

        [break]
        type = status
        label = Break
        activate_skills = no
        timeout = \(breakTimeout)
        timeout_goto = connected
        max_agents = 3
        over_limit = deny

        [lunch]
        type = status
        label = Lunch
        activate_skills = no

        [paperwork]
        type = status
        label = Paperwork
        activate_skills = no
        timeout = \(paperworkTimeout)
        timeout_goto = connected

        [incoming_call]
        type = status
        on_hangup = paperwork

        [outgoing_call]
        type = status
        on_hangup = last

        [sales]
        type = skill
        queues = sales

        [support]
        type = skill
        queues = support-private, support-business

        [phone](!)
        type = extension

        [101](phone)
        interface = PJSIP/101
        [102](phone)
        interface = PJSIP/102
        [103](phone)
        interface = PJSIP/103
        [104](phone)
        interface = PJSIP/104
        [105](phone)
        interface = PJSIP/105

        [agent-defaults](!)
        type = user
        role = agent
        ccuser = yes
        active = yes
        extensions = 101-105

        \(users)
        """
    }

    /// The agents of the sample config (password "demo"), with skills that a test may change.
    static func users(
        dana: String = "sales, support:2", eli: String = "support", noa: String = "sales:1, support:5", omer: String = "sales"
    ) -> String {
        """
        [dana@example.com](agent-defaults)
        name = Dana Levi
        password = $6$danaDemoSalt$mkZYiI9qxneTc6UJl3bXEWnE.zpMAfMY32UFY4TAz1IgBbH/Xr1u2If32bDfCMkfwt.RBUgm8fBLKlJ0AjCWY1
        skills = \(dana)
        extension = 101

        [eli@example.com](agent-defaults)
        name = Eli Cohen
        password = $6$eliDemoSalt$ibrQwOniSbe899Wz9B58FYS.jgnSJwb61VGeCgTzbhBa16WG63IV4e0GQXNNZv24ER4oZUHGFHKIETBPqXRgG/
        skills = \(eli)
        extension = 102

        [noa@example.com](agent-defaults)
        name = Noa Mizrahi
        password = $6$noaDemoSalt$JB4vp4ZOIk3QxSGv8UJJpIp2wFZJmFGhqTS/3bgonU3DJX4NogqtEroXNev1WXxcQI1ANW4dZKyjy5RWY86Y3/
        skills = \(noa)
        extension = 103

        [omer@example.com](agent-defaults)
        name = Omer Peretz
        password = $6$omerDemoSalt$H349PpkPgce6gwm.4olro9pOt1JgW.kdd8KwV53QALu0fPXC0zKUZwZAAF8iw1YB/Dtm8OaHK2FuX2J/c8IJd/
        skills = \(omer)
        extension = 104
        stay_in_queues_on_logout = yes

        """
    }

    static let allQueues: Set<String> = ["sales", "support-private", "support-business"]
    static let supportQueues: Set<String> = ["support-private", "support-business"]
    static let staticMember = "Local/199@agents/n"
}

extension TestConfigs {
    /// The sample's people with groups and supervisors, for the API's permissions (password "demo").
    static let demoHash = "$6$danaDemoSalt$mkZYiI9qxneTc6UJl3bXEWnE.zpMAfMY32UFY4TAz1IgBbH/Xr1u2If32bDfCMkfwt.RBUgm8fBLKlJ0AjCWY1"

    static func teams() -> String {
        """
        [dana@example.com](agent-defaults)
        name = Dana Levi
        password = \(demoHash)
        skills = sales, support:2
        extension = 101
        group = team-a
        supervisors = boss@example.com

        [eli@example.com](agent-defaults)
        name = Eli Cohen
        password = \(demoHash)
        skills = support
        extension = 102
        group = team-a

        [noa@example.com](agent-defaults)
        name = Noa Mizrahi
        password = \(demoHash)
        skills = sales:1, support:5
        extension = 103
        group = team-b
        supervisors = bea@example.com

        [omer@example.com](agent-defaults)
        name = Omer Peretz
        password = \(demoHash)
        skills = sales
        extension = 104
        group = team-b

        [boss@example.com]
        type = user
        name = Boss
        role = supervisor
        ccuser = no
        group = team-a
        password = \(demoHash)

        [bea@example.com]
        type = user
        name = Bea
        role = supervisor
        ccuser = no
        group = team-b
        password = \(demoHash)

        [root@example.com]
        type = user
        name = Root
        role = admin
        ccuser = no
        password = \(demoHash)

        """
    }
}
