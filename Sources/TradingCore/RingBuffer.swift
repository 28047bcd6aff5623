/// Fixed-capacity FIFO: appending beyond capacity evicts the oldest. Index 0 is the oldest element.
/// A value type with copy-on-write storage, so handing it to a strategy costs a reference count.
public struct RingBuffer<Element>: RandomAccessCollection {
    @usableFromInline var storage: ContiguousArray<Element> = []
    @usableFromInline var head = 0
    /// Everything ever appended (a tape's trade sequence: it keeps counting once the oldest entries are dropped).
    public var appended: UInt64 { appendedCount }
    @usableFromInline var appendedCount: UInt64 = 0
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0, "ring capacity must be positive")
        self.capacity = capacity
        storage.reserveCapacity(Swift.min(capacity, 4096))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }

    @inlinable public subscript(i: Int) -> Element {
        precondition(i >= 0 && i < storage.count, "ring index out of range")
        let j = head + i
        return storage[j < storage.count ? j : j - storage.count]
    }

    @inlinable public mutating func append(_ e: Element) {
        appendedCount &+= 1
        if storage.count < capacity {
            storage.append(e)
        } else {
            storage[head] = e
            head += 1
            if head == capacity { head = 0 }
        }
    }

    public var newest: Element? { isEmpty ? nil : self[count - 1] }
}

/// Values of sendable elements can cross threads (indicator states, snapshots).
extension RingBuffer: Sendable where Element: Sendable {}
