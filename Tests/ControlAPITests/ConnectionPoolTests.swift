import Testing

import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

/// The pool's idle list: the longest idle is the one that became idle first and stayed so,
/// whatever leaves the list from its front, middle or end.
@Suite struct ConnectionPoolTests {
    /// Takes the longest idle until none is left, as a full server admitting newcomers would.
    private func drain(_ pool: ConnectionPool) -> [Int] {
        var order: [Int] = []
        while let id = pool.longestIdle {
            order.append(id)
            pool.closed(id)
        }
        return order
    }

    private func pool(open ids: [Int]) -> ConnectionPool {
        let pool = ConnectionPool(capacity: ids.count)
        for id in ids {
            pool.opened()
            pool.update(id, idle: true)
        }
        return pool
    }

    @Test func theLongestIdleIsTheFirstToBecomeIdle() {
        let pool = pool(open: [1, 2, 3, 4])
        #expect(pool.isFull && pool.idleCount == 4)
        #expect(drain(pool) == [1, 2, 3, 4])
        #expect(pool.count == 0 && pool.idleCount == 0)
    }

    @Test func aConnectionBusyAndIdleAgainGoesToTheEnd() {
        let pool = pool(open: [1, 2, 3, 4])
        pool.update(1, idle: false)  // front
        pool.update(3, idle: false)  // middle
        pool.update(4, idle: false)  // end
        pool.update(2, idle: true)  // already idle: keeps its place
        pool.update(3, idle: true)
        pool.update(1, idle: true)
        #expect(drain(pool) == [2, 3, 1])
        #expect(pool.count == 1)  // 4 is open and busy
    }

    @Test func aBusyConnectionIsNeverTheOneToClose() {
        let pool = pool(open: [1, 2])
        pool.update(1, idle: false)
        pool.update(2, idle: false)
        #expect(pool.isFull && pool.longestIdle == nil)
        pool.closed(1)
        #expect(!pool.isFull && pool.longestIdle == nil)
    }
}
