import Foundation
import KrakenSim
import Logging
import NIOCore
import Synchronization
import TradingCore
import WSClient

// Frames per second the local Kraken v2 server sustains: one reading client, then 19 reading clients and one that
// never reads (it must be dropped as a slow consumer without slowing the others or growing memory without bound).
// Each client subscribes to book, trade and ticker for every pair; the server then bursts N frames (real market
// steps, valid checksums) paced by the readers, with the server's own market paused meanwhile. Usage: sim-bench [FRAMES_ONE_CLIENT] [FRAMES_TWENTY_CLIENTS] [NEVER_READING]
// [CLIENTS]. Run it from a release build: a debug build's engine starves its own readers on two cores.

func rssMB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

final class Flag: Sendable {
    let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

final class Reader: Sendable {
    let count = Atomic<Int>(0)
    let lastAt = Mutex<ContinuousClock.Instant?>(nil)
}

let args = CommandLine.arguments
let oneN = args.count > 1 ? Int(args[1]) ?? 300_000 : 300_000
let twentyN = args.count > 2 ? Int(args[2]) ?? 2_000_000 : 2_000_000

let cfg: KrakenSimConfig = {
    var c = KrakenSimConfig()
    c.levels = 25
    c.historyDays = 0
    c.start = Timestamp(seconds: Int64(Date().timeIntervalSince1970))
    return c
}()
let server: KrakenSimServer = {
    var options = KrakenSimServer.Options()
    options.port = 0
    options.maxQueuedFrames = 50_000
    return KrakenSimServer(config: cfg, options: options)
}()
let serverTask = Task { try await server.run() }
while server.port == 0 { try await Task.sleep(for: .milliseconds(20)) }
let pairs = cfg.symbols.map { "\"\($0.text)\"" }.joined(separator: ",")
let logger = Logger(label: "sim-bench", factory: { _ in SwiftLogNoOpLogHandler() })

func client(_ r: Reader?, stop: Flag) -> Task<Void, Never> {
    Task {
        _ = try? await WebSocketClient.connect(url: server.url, configuration: .init(maxFrameSize: 1 << 22), logger: logger) { inbound, outbound, _ in
            for (k, ch) in ["book", "trade", "ticker"].enumerated() {
                try await outbound.write(.text(#"{"method":"subscribe","params":{"channel":"\#(ch)","symbol":[\#(pairs)]},"req_id":\#(k + 1)}"#))
            }
            guard let r else {
                // Never reads: NIO stops reading the socket, the kernel's buffers fill, the server's writes wait.
                while !stop.isSet { try await Task.sleep(for: .milliseconds(50)) }
                return
            }
            for try await _ in inbound.messages(maxSize: 1 << 22) {
                r.count.add(1, ordering: .relaxed)
                r.lastAt.withLock { $0 = .now }
                if stop.isSet { break }
            }
        }
    }
}

func scenario(readers n: Int, stuck: Int, frames: Int) async throws -> [String: Any] {
    let stop = Flag()
    let readers = (0..<n).map { _ in Reader() }
    var tasks = readers.map { client($0, stop: stop) }
    tasks += (0..<stuck).map { _ in client(Reader?.none, stop: stop) }
    // Subscribed: acks and snapshots arrived.
    while readers.contains(where: { $0.count.load(ordering: .relaxed) < cfg.symbols.count * 3 }) { try await Task.sleep(for: .milliseconds(20)) }
    try await Task.sleep(for: .milliseconds(300))
    let before = readers.map { $0.count.load(ordering: .relaxed) }
    let dropsBefore = server.serverStats.slowConsumersDropped
    let rss0 = rssMB()
    var rssMax = rss0
    // The ticker's market stops for the measurement: only the burst's frames flow, and the readers fall quiet after it.
    server.pause()
    defer { server.pause(false) }
    let t0 = ContinuousClock.now
    let produced = Flag()
    Task { try? await server.inject(.burst(frames)); produced.set() }
    // Done when every reader has been quiet for a second after the burst was produced.
    while true {
        try await Task.sleep(for: .milliseconds(100))
        rssMax = max(rssMax, rssMB())
        if !produced.isSet { continue }
        let quiet = readers.allSatisfy { r in r.lastAt.withLock { $0.map { ContinuousClock.now - $0 > .seconds(1) } ?? true } }
        if quiet { break }
    }
    let last = readers.compactMap { r in r.lastAt.withLock { $0 } }.max() ?? t0
    let received = zip(readers, before).map { $0.count.load(ordering: .relaxed) - $1 }
    let seconds = Double((last - t0) / .microseconds(1)) / 1e6
    stop.set()
    for t in tasks { t.cancel() }
    let total = received.reduce(0, +)
    return ["clients": n + stuck, "never_reading": stuck, "frames_received": total, "seconds": seconds,
            "frames_per_second": Double(total) / seconds, "per_reader_min": received.min() ?? 0, "per_reader_max": received.max() ?? 0,
            "slow_consumers_dropped": server.serverStats.slowConsumersDropped - dropsBefore, "rss_mb_before": rss0, "rss_mb_max": rssMax]
}

let one = try await scenario(readers: 1, stuck: 0, frames: oneN)
try await Task.sleep(for: .seconds(1))
let stuckClients = args.count > 3 ? Int(args[3]) ?? 1 : 1
let clientCount = args.count > 4 ? Int(args[4]) ?? 20 : 20
let twenty = try await scenario(readers: clientCount - stuckClients, stuck: stuckClients, frames: twentyN)
serverTask.cancel()
let out = try JSONSerialization.data(withJSONObject: ["one_client": one, "twenty_clients": twenty], options: [.sortedKeys, .prettyPrinted])
print(String(decoding: out, as: UTF8.self))
