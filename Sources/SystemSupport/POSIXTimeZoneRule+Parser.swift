extension POSIXTimeZoneRule {
    /// The rule tzcode assumes when a `TZ` string names DST without saying when it is: the
    /// United States' since 2007, second Sunday in March to first Sunday in November, at 02:00.
    static let defaultStart = Change(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200)
    static let defaultEnd = Change(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200)

    /// Reads `std offset [dst [offset] [,start[/time],end[/time]]]` byte by byte; nil on anything else.
    struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func rule() -> POSIXTimeZoneRule? {
            guard let standardName = name(), let standardOffset = offset() else { return nil }
            // POSIX offsets are west of Greenwich (`EST5`); ours are east, as TZif's.
            let standard = ZoneInfo.LocalTimeType(utcOffset: -standardOffset, isDaylightSavingTime: false, abbreviation: standardName)
            if atEnd { return POSIXTimeZoneRule(standard: standard) }
            guard let daylightName = name() else { return nil }
            var daylightOffset = standard.utcOffset + 3600
            if let next = peek, next == UInt8(ascii: "+") || next == UInt8(ascii: "-") || isDigit(next) {
                guard let offset = offset() else { return nil }
                daylightOffset = -offset
            }
            let type = ZoneInfo.LocalTimeType(utcOffset: daylightOffset, isDaylightSavingTime: true, abbreviation: daylightName)
            let start: Change
            let end: Change
            if atEnd {
                start = POSIXTimeZoneRule.defaultStart
                end = POSIXTimeZoneRule.defaultEnd
            } else {
                guard take(UInt8(ascii: ",")), let first = change(), take(UInt8(ascii: ",")), let second = change(), atEnd
                else { return nil }
                start = first
                end = second
            }
            return POSIXTimeZoneRule(standard: standard, daylight: Daylight(type: type, start: start, end: end))
        }

        // MARK: Pieces

        /// `EST` (three or more letters) or `<-03>` (three or more letters, digits, `+`, `-`).
        private mutating func name() -> String? {
            let start: Int
            let end: Int
            if take(UInt8(ascii: "<")) {
                start = index
                while let byte = peek, isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { index += 1 }
                end = index
                guard take(UInt8(ascii: ">")) else { return nil }
            } else {
                start = index
                while let byte = peek, isLetter(byte) { index += 1 }
                end = index
            }
            guard end - start >= 3 else { return nil }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }

        /// `[+-]hh[:mm[:ss]]`, hours 0...24, in seconds (positive west of Greenwich).
        private mutating func offset() -> Int? {
            signedTime(maximumHours: 24)
        }

        /// `date[/time]`.
        private mutating func change() -> Change? {
            let day: Change.Day
            if take(UInt8(ascii: "J")) {
                guard let n = number(maximumDigits: 3), (1...365).contains(n) else { return nil }
                day = .julian(n)
            } else if take(UInt8(ascii: "M")) {
                guard let month = number(maximumDigits: 2), (1...12).contains(month), take(UInt8(ascii: ".")),
                    let week = number(maximumDigits: 1), (1...5).contains(week), take(UInt8(ascii: ".")),
                    let weekday = number(maximumDigits: 1), (0...6).contains(weekday)
                else { return nil }
                day = .monthWeekDay(month: month, week: week, weekday: weekday)
            } else {
                guard let n = number(maximumDigits: 3), (0...365).contains(n) else { return nil }
                day = .zeroBasedDay(n)
            }
            var time = 7200
            if take(UInt8(ascii: "/")) {
                // TZif version 3: -167...167 hours, so 26:00 is 02:00 the day after.
                guard let value = signedTime(maximumHours: 167) else { return nil }
                time = value
            }
            return Change(day: day, time: time)
        }

        /// `[+-]h[h[h]][:mm[:ss]]` in seconds.
        private mutating func signedTime(maximumHours: Int) -> Int? {
            var sign = 1
            if take(UInt8(ascii: "-")) {
                sign = -1
            } else {
                _ = take(UInt8(ascii: "+"))
            }
            guard let hours = number(maximumDigits: 3), hours <= maximumHours else { return nil }
            var seconds = hours * 3600
            if take(UInt8(ascii: ":")) {
                guard let minutes = number(maximumDigits: 2), minutes < 60 else { return nil }
                seconds += minutes * 60
                if take(UInt8(ascii: ":")) {
                    guard let extra = number(maximumDigits: 2), extra < 60 else { return nil }
                    seconds += extra
                }
            }
            return sign * seconds
        }

        /// One to `maximumDigits` decimal digits.
        private mutating func number(maximumDigits: Int) -> Int? {
            var value = 0
            var digits = 0
            while digits < maximumDigits, let byte = peek, isDigit(byte) {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }

        // MARK: Bytes

        private var atEnd: Bool { index == bytes.count }
        private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        private func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        private func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
    }
}
