import TradingCore

/// The server's logs as JSONL, one object per entry: frames sent, requests received, connection attempts. What
/// `kraken sim --log` writes as they happen, and what tests read.
public enum KrakenSimLog {
    public static func line(_ e: KrakenSimEngine.LogEntry) -> String {
        switch e {
        case .attempt(let a):
            return "{\"kind\":\"attempt\",\"number\":\(a.number),\"time\":\"\(a.time.iso8601)\",\"accepted\":\(a.rejectedWith == nil)"
                + (a.wallTime.map { ",\"wall_time\":\"\($0.iso8601)\"" } ?? "") + (a.rejectedWith.map { ",\"http_status\":\($0)" } ?? "") + "}"
        case .request(let r) where r.connection == 0:
            return "{\"kind\":\"rest\",\"time\":\"\(r.time.iso8601)\",\"text\":\(SimFormat.string(r.text))}"
        case .request(let r):
            return "{\"kind\":\"request\",\"connection\":\(r.connection),\"time\":\"\(r.time.iso8601)\",\"text\":\(SimFormat.string(r.text))}"
        case .sent(let f):
            let body: String = switch f.frame {
            case .text(let t): "\"text\":" + SimFormat.string(t)
            case .binary(let b): "\"binary_bytes\":\(b.count)"
            }
            return "{\"kind\":\"sent\",\"connection\":\(f.connection),\"index\":\(f.index),\"time\":\"\(f.time.iso8601)\"," + body + "}"
        }
    }
}
