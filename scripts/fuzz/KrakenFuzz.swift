// libFuzzer entry for the Kraken v2 edge: every input is one text frame handed to a live client (parser, books,
// checksums, trade ids, acks, instrument precisions) and to the full parser. Built and run by scripts/fuzz/run.sh.
import TradingCore
import KrakenWS

nonisolated(unsafe) var client: KrakenClient = makeClient()
nonisolated(unsafe) var inputs = 0

func makeClient() -> KrakenClient {
    var c = KrakenClientConfig()
    c.symbols = [Symbol("BTC/USD")!, Symbol("XRP/USDT")!]
    let k = KrakenClient(config: c, precisions: [Symbol("BTC/USD")!: BookPrecision(price: 1, quantity: 8),
                                                 Symbol("XRP/USDT")!: BookPrecision(price: 5, quantity: 8)], random: { 0.5 })
    var out: [KrakenClient.Action] = []
    k.start(now: Timestamp(nanoseconds: 1_000_000_000), into: &out)
    k.connected(now: Timestamp(nanoseconds: 1_000_000_000), into: &out)
    return k
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    _ = try? KrakenParser.parse(bytes)
    inputs += 1
    var out: [KrakenClient.Action] = []
    let now = Timestamp(nanoseconds: 1_000_000_000 + Int64(inputs) * 1_000_000)
    client.received(bytes, now: now, into: &out)
    client.tick(now: now, into: &out)
    // A client that reconnected or stopped is replaced, so every input meets a live connection.
    if client.phase != .live && client.phase != .subscribing { client = makeClient() }
    return 0
}
