import TradingCore

/// The server's logs as JSONL (one object per line, in order of time): frames sent, requests received, connection
/// attempts. What tests and `kraken sim --log` read.
public enum KrakenSimLog {
    public static func jsonl(_ e: KrakenSimEngine) -> String {
        var lines: [(Timestamp, Int, String)] = []
        for a in e.attempts {
            lines.append((a.time, 0, "{\"kind\":\"attempt\",\"number\":\(a.number),\"time\":\"\(a.time.iso8601)\",\"accepted\":\(a.rejectedWith == nil)" + (a.rejectedWith.map { ",\"http_status\":\($0)" } ?? "") + "}"))
        }
        for r in e.requests {
            lines.append((r.time, 1, "{\"kind\":\"request\",\"connection\":\(r.connection),\"time\":\"\(r.time.iso8601)\",\"text\":\(SimFormat.string(r.text))}"))
        }
        for f in e.sent {
            let body: String = switch f.frame {
            case .text(let t): "\"text\":" + SimFormat.string(t)
            case .binary(let b): "\"binary_bytes\":\(b.count)"
            }
            lines.append((f.time, 2, "{\"kind\":\"sent\",\"connection\":\(f.connection),\"index\":\(f.index),\"time\":\"\(f.time.iso8601)\"," + body + "}"))
        }
        // A stable sort: same-time entries keep their kind's order and their own order.
        let sorted = lines.enumerated().sorted { a, b in (a.element.0, a.element.1, a.offset) < (b.element.0, b.element.1, b.offset) }
        return sorted.map { $0.element.2 }.joined(separator: "\n") + (sorted.isEmpty ? "" : "\n")
    }
}
