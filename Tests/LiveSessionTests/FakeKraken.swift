import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

func fixture(_ name: String) throws -> [String] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil))
    return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
}

/// A tiny Kraken v2 server in the test process (Hummingbird WebSocket): it acknowledges every request by `req_id` and
/// symbol as Kraken does, plays the book fixture on the first book subscription (lines 1–8, with the deliberate
/// checksum failure at 8) and the rest (9–12) once the client has resubscribed, sends the instrument snapshot, and
/// optionally streams trades. It records every request it received.
final class FakeKraken: Sendable {
    struct State {
        var requests: [String] = []
        var bookSubscriptions = 0
        var connections = 0
    }
    private let state = Mutex(State())
    let bookLines: [String]
    let instrument: String
    /// Trades per second on BTC/USD (0: none), with ids counting up from 1.
    let tradesPerSecond: Int
    /// Close each connection after this many seconds (nil: keep it).
    let dropAfter: Double?
    /// After the subscriptions and snapshots, send nothing more and ignore everything (a dead peer that keeps the socket).
    let silentAfterStart: Bool

    /// A pair this server does not support (its subscriptions get Kraken's error).
    let refuse: String?

    init(tradesPerSecond: Int = 0, dropAfter: Double? = nil, silentAfterStart: Bool = false, refuse: String? = nil) throws {
        self.silentAfterStart = silentAfterStart
        self.refuse = refuse
        bookLines = try fixture("book-btcusd.jsonl")
        instrument = try fixture("control.jsonl")[2]
        self.tradesPerSecond = tradesPerSecond
        self.dropAfter = dropAfter
    }

    var requests: [[String: Any]] {
        state.withLock { $0.requests }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
    var connections: Int { state.withLock { $0.connections } }

    /// Starts on a free loopback port; returns the `ws://` URL and the task running it.
    func start() async throws -> (url: String, task: Task<Void, any Error>) {
        let port = AsyncStream<Int>.makeStream()
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade { [self] request, _, _ in
                guard request.path == "/v2" else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in try await self.serve(inbound, outbound) }
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.continuation.yield(channel.localAddress?.port ?? 0); port.continuation.finish() },
            logger: Logger(label: "fake-kraken", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var it = port.stream.makeAsyncIterator()
        let p = await it.next() ?? 0
        return ("ws://127.0.0.1:\(p)/v2", task)
    }

    private func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        state.withLock { $0.connections += 1 }
        try await outbound.write(.text(#"{"channel":"status","data":[{"api_version":"v2","connection_id":1,"system":"online","version":"2.0.0"}],"type":"update"}"#))
        try await withThrowingTaskGroup(of: Void.self) { group in
            if tradesPerSecond > 0 {
                group.addTask { [self] in
                    var id: UInt64 = 0
                    while true {
                        try await Task.sleep(for: .milliseconds(1000 / tradesPerSecond))
                        id += 1
                        // Mostly buyers, prices walking up and down by a tick.
                        let side = id % 4 == 0 ? "sell" : "buy"
                        let price = 45284.0 + Double(id % 5) * 0.1
                        let now = ISO8601DateFormatter.kraken.string(from: Date())
                        try await outbound.write(.text(#"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"\#(side)","price":\#(String(format: "%.1f", price)),"qty":0.01,"ord_type":"market","trade_id":\#(id),"timestamp":"\#(now)"}]}"#))
                    }
                }
            }
            if let dropAfter {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(dropAfter * 1000)))
                    try await outbound.close(.unexpectedServerError, reason: "test drop")
                }
            }
            group.addTask { [self] in
                var answered = 0
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message,
                          let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
                    state.withLock { $0.requests.append(text) }
                    try await answer(obj, outbound)
                    answered += 1
                    // A dead peer that keeps the socket: after the five subscriptions it reads nothing more, so not even
                    // the client's close frame gets an answer.
                    if silentAfterStart && answered >= 5 { try await Task.sleep(for: .seconds(3600)) }
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    private func answer(_ r: [String: Any], _ out: WebSocketOutboundWriter) async throws {
        let id = r["req_id"] as? Int ?? 0
        let method = r["method"] as? String ?? ""
        if method == "ping" {
            if !silentAfterStart { try await out.write(.text(#"{"method":"pong","req_id":\#(id)}"#)) }
            return
        }
        let params = r["params"] as? [String: Any] ?? [:]
        let channel = params["channel"] as? String ?? ""
        let symbols = params["symbol"] as? [String] ?? []
        if channel == "instrument" {
            try await out.write(.text(#"{"method":"\#(method)","req_id":\#(id),"result":{"channel":"instrument","snapshot":true},"success":true}"#))
            if method == "subscribe" { try await out.write(.text(instrument)) }
            return
        }
        for s in symbols {
            if s == refuse {
                try await out.write(.text(#"{"error":"Currency pair not supported \#(s)","method":"\#(method)","req_id":\#(id),"success":false,"symbol":"\#(s)"}"#))
                continue
            }
            try await out.write(.text(#"{"method":"\#(method)","req_id":\#(id),"result":{"channel":"\#(channel)","symbol":"\#(s)"},"success":true}"#))
        }
        guard channel == "book", method == "subscribe", symbols.contains("BTC/USD") else { return }
        let n = state.withLock { s -> Int in s.bookSubscriptions += 1; return s.bookSubscriptions }
        for line in n == 1 ? bookLines.prefix(8) : bookLines.dropFirst(8) { try await out.write(.text(line)) }
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let kraken: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
}
