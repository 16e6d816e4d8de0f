import AgentCore

extension ConfigValidator {
    mutating func validateGeneral() -> GeneralSettings {
        var settings = GeneralSettings()
        guard let section = singleton(.general) else { return settings }
        if let database = string(section, "database") { settings.database = database.value }
        if let format = choice(section, "log_format", among: GeneralSettings.LogFormat.allCases) { settings.logFormat = format }
        if let entry = section.last("log_level") {
            let level = entry.value.lowercased()
            if GeneralSettings.logLevels.contains(level) {
                settings.logLevel = level
            } else {
                let suggestion = Suggestion.closest(to: level, among: GeneralSettings.logLevels)
                var message = "a log level (\(GeneralSettings.logLevels.joined(separator: ", ")))"
                if let suggestion { message += "; did you mean \"\(suggestion)\"?" }
                errors.append(error(.invalidValue(entry.value, expected: message), section, entry))
            }
        }
        return settings
    }

    mutating func validateAMI() -> AMISettings? {
        guard let section = singleton(.ami) else {
            errors.append(ConfigError(.missingSection(type: "ami"), at: SourceLocation(file: mainFile, line: 0)))
            return nil
        }
        var settings = AMISettings(username: "", secret: "")
        if let host = string(section, "host") {
            if host.value.contains(where: \.isWhitespace) {
                errors.append(error(.invalidValue(host.value, expected: "a host name or address"), section, host.entry))
            } else {
                settings.host = host.value
            }
        }
        if let port = integer(section, "port", in: 1...65535) { settings.port = port }
        if let ping = integer(section, "ping_interval", in: 1...3600, unit: " seconds") { settings.pingInterval = .seconds(ping) }
        if let auth = choice(section, "auth", among: AMISettings.Authentication.allCases) { settings.authentication = auth }
        var complete = true
        for key in ["username", "secret"] {
            guard section.last(key) != nil else {
                errors.append(error(.missingKey(key, reason: "the AMI login of manager.conf"), section))
                complete = false
                continue
            }
            guard let value = string(section, key) else {
                complete = false
                continue
            }
            if key == "username" { settings.username = value.value } else { settings.secret = value.value }
        }
        return complete ? settings : nil
    }

    mutating func validateAPI() -> APISettings {
        var settings = APISettings()
        guard let section = singleton(.api) else { return settings }
        if let listen = string(section, "listen") {
            if let address = ListenAddress(parsing: listen.value) {
                settings.listen = address
            } else {
                errors.append(error(.invalidValue(listen.value, expected: "host:port, e.g. 127.0.0.1:8088 or [::1]:8088"), section, listen.entry))
            }
        }
        if let socket = string(section, "socket") {
            if socket.value.hasPrefix("/") {
                settings.socket = socket.value
            } else {
                errors.append(error(.invalidValue(socket.value, expected: "an absolute path, e.g. /run/ccagentd/ccagentd.sock"), section, socket.entry))
            }
        }
        if let file = string(section, "admin_tokens") { readAdminTokens(section, file.entry, into: &settings) }
        if let ttl = integer(section, "session_ttl", in: 60...2_592_000, unit: " seconds") { settings.sessionTTL = .seconds(ttl) }
        if let count = integer(section, "login_attempts_per_login", in: 1...1000) { settings.loginAttemptsPerLogin = count }
        if let count = integer(section, "login_attempts_per_address", in: 1...100_000) { settings.loginAttemptsPerAddress = count }
        if let window = integer(section, "login_window", in: 1...86_400, unit: " seconds") { settings.loginWindow = .seconds(window) }
        if let count = integer(section, "max_connections", in: 1...65_536) { settings.maxConnections = count }
        if let timeout = integer(section, "header_timeout", in: 1...3600, unit: " seconds") { settings.headerTimeout = .seconds(timeout) }
        if let timeout = integer(section, "request_timeout", in: 1...3600, unit: " seconds") { settings.requestTimeout = .seconds(timeout) }
        settings.trustedProxies = trustedProxies(section)
        return settings
    }

    mutating func validateRemote() -> RemoteSettings {
        var settings = RemoteSettings()
        guard let section = singleton(.remote) else { return settings }
        if let interface = string(section, "interface") {
            if Self.isInterface(interface.value), interface.value.contains("${MOBILE}") {
                settings.interfaceTemplate = interface.value
            } else {
                errors.append(error(
                    .invalidValue(interface.value, expected: "an interface with ${MOBILE} in it, e.g. Local/${MOBILE}@ccagentd-remote/n"),
                    section, interface.entry))
            }
        }
        if let family = string(section, "followme_family") {
            if family.value.contains(where: \.isWhitespace) {
                errors.append(error(.invalidValue(family.value, expected: "an AstDB family without spaces, e.g. ccagentd/followme"), section, family.entry))
            } else {
                settings.followmeFamily = family.value
            }
        }
        return settings
    }
}
