import Foundation

/// The two response bodies (regime.md §10.1). Anything else than the documented shape is an error, never a guess.
public enum SentimentParser {
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Alternative.me: `{"data":[{"value":"40","value_classification":"Fear", …}]}`; `value` is a numeric string 0…100.
    public static func fearGreed(_ body: [UInt8]) throws -> (value: Int, classification: String) {
        guard let o = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { throw Invalid(description: "Fear & Greed: not a JSON object") }
        guard let first = (o["data"] as? [Any])?.first as? [String: Any] else { throw Invalid(description: "Fear & Greed: no data[0]") }
        guard let text = first["value"] as? String, let v = Int(text.trimmingCharacters(in: .whitespaces)), (0...100).contains(v) else {
            throw Invalid(description: "Fear & Greed: data[0].value is missing or not a number 0…100")
        }
        let c = (first["value_classification"] as? String).map { String($0.prefix(64)) } ?? ""
        return (v, c)
    }

    /// CoinGecko: `{"data":{"market_cap_percentage":{"btc":56.5, …}}}`, a percentage 0…100.
    public static func btcDominance(_ body: [UInt8]) throws -> Double {
        guard let o = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { throw Invalid(description: "CoinGecko: not a JSON object") }
        let raw = ((o["data"] as? [String: Any])?["market_cap_percentage"] as? [String: Any])?["btc"]
        guard !(raw is Bool), let btc = raw as? NSNumber, btc.doubleValue.isFinite, (0...100).contains(btc.doubleValue) else {
            throw Invalid(description: "CoinGecko: data.market_cap_percentage.btc is missing or not a percentage")
        }
        return btc.doubleValue
    }
}
