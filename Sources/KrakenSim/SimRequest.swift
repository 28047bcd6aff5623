import Foundation

/// A client request as the server reads it. Every field is optional and a field of the wrong type is remembered as
/// invalid instead of failing the whole request, so each mistake gets its own error answer.
struct SimRequest: Decodable {
    var method: String?
    var reqId: Int64?
    var params: Params?
    var paramsInvalid = false

    struct Params: Decodable {
        var channel: String?
        var symbol: [String]?
        var depth: Int64?
        var interval: Int64?
        var snapshot: Bool?
        var eventTrigger: String?
        /// Keys present with a value of the wrong type.
        var invalid: Set<String> = []
        var present: Set<String> = []

        enum K: String, CodingKey { case channel, symbol, depth, interval, snapshot, event_trigger }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: K.self)
            func field<T: Decodable>(_ k: K, _ t: T.Type) -> T? {
                guard c.contains(k) else { return nil }
                present.insert(k.rawValue)
                if let v = try? c.decode(T.self, forKey: k) { return v }
                invalid.insert(k.rawValue)
                return nil
            }
            channel = field(.channel, String.self)
            symbol = field(.symbol, [String].self)
            depth = field(.depth, Int64.self)
            interval = field(.interval, Int64.self)
            snapshot = field(.snapshot, Bool.self)
            eventTrigger = field(.event_trigger, String.self)
        }
    }

    enum K: String, CodingKey { case method, req_id, params }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: K.self)
        method = try? c.decode(String.self, forKey: .method)
        reqId = try? c.decode(Int64.self, forKey: .req_id)
        if c.contains(.params) {
            if let p = try? c.decode(Params.self, forKey: .params) { params = p } else { paramsInvalid = true }
        }
    }

    /// Nil for anything that is not one JSON object.
    static func parse(_ text: String) -> SimRequest? {
        guard text.utf8.count <= 65_536 else { return nil }
        return try? JSONDecoder().decode(SimRequest.self, from: Data(text.utf8))
    }
}
