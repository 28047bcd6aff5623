import Yams

/// Reads a YAML configuration into flat entries with line numbers (Yams' node API). Hostile files are refused before
/// or while walking them: larger than 1 MiB, nested deeper than 32 levels, more than 20,000 nodes (alias bombs expand
/// only while walked, so the walk is counted), duplicate keys, or lists of mappings.
public enum ConfigFile {
    public static let maxBytes = 1 << 20
    static let maxDepth = 32
    static let maxNodes = 20_000

    public static func entries(yaml text: String, origin: String) throws(ConfigError) -> [ConfigEntry] {
        guard text.utf8.count <= maxBytes else { throw ConfigError("\(origin): larger than 1 MiB; not a configuration file") }
        // Flow nesting ([[[[…) is counted before the parser sees it: a deep stack must never be the parser's.
        var depth = 0, deepest = 0, quote: UInt8 = 0, comment = false
        for b in text.utf8 {
            if b == 10 { quote = 0; comment = false }
            if comment { continue }
            if quote != 0 { if b == quote { quote = 0 }; continue }
            switch b {
            case 35: comment = true
            case 34, 39: quote = b
            case 91, 123: depth += 1; deepest = max(deepest, depth)
            case 93, 125: depth -= 1
            case 10: if depth <= 0 { depth = 0 }
            default: break
            }
            if deepest > maxDepth { throw ConfigError("\(origin): nested deeper than \(maxDepth) levels") }
        }
        var indent = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            indent = max(indent, line.prefix { $0 == " " }.count)
        }
        if indent > maxDepth * 8 { throw ConfigError("\(origin): indented deeper than a configuration can be") }
        let root: Node?
        // `compose` reads exactly one document: a stream with a second one is an error, not ignored.
        do { root = try Yams.compose(yaml: text) } catch { throw ConfigError("\(origin): YAML syntax error: \(error)") }
        guard let root else { return [] }
        if root.scalar.map({ $0.string.isEmpty || $0.string == "~" || $0.string == "null" }) == true { return [] }
        guard root.mapping != nil else { throw ConfigError("\(origin): the configuration must be a mapping of sections") }
        var out: [ConfigEntry] = []
        var nodes = 0
        try walk(root, path: "", depth: 0, nodes: &nodes, origin: origin, into: &out)
        return out
    }

    static func line(_ n: Node, _ origin: String) -> String { n.mark.map { "\(origin) line \($0.line)" } ?? origin }

    static func walk(_ n: Node, path: String, depth: Int, nodes: inout Int, origin: String, into out: inout [ConfigEntry]) throws(ConfigError) {
        nodes += 1
        if nodes > maxNodes { throw ConfigError("\(origin): more than \(maxNodes) values (aliases expanding?); not a configuration file") }
        if depth > maxDepth { throw ConfigError("\(line(n, origin)): nested deeper than \(maxDepth) levels") }
        if let m = n.mapping {
            var seen = Set<String>()
            for (k, v) in m {
                guard let name = k.scalar?.string, !name.isEmpty else { throw ConfigError("\(line(k, origin)): a key must be a plain name") }
                guard seen.insert(name).inserted else {
                    throw ConfigError("config key '\(path.isEmpty ? name : path + "." + name)' (\(line(k, origin))): given twice in one mapping")
                }
                let p = path.isEmpty ? name : path + "." + name
                // An empty value (`starting_assets:`) is an empty mapping; a value of a leaf is checked by the schema.
                if let s = v.scalar, s.string.isEmpty || s.string == "~" || s.string == "null", s.style == .plain {
                    if Schema.setting(p) == nil { continue }
                }
                try walk(v, path: p, depth: depth + 1, nodes: &nodes, origin: origin, into: &out)
            }
        } else if let seq = n.sequence {
            var items: [String] = []
            for item in seq {
                nodes += 1
                if nodes > maxNodes { throw ConfigError("\(origin): more than \(maxNodes) values (aliases expanding?); not a configuration file") }
                guard let s = item.scalar?.string else { throw ConfigError("config key '\(path)' (\(line(item, origin))): must be a list of plain values") }
                items.append(s)
            }
            out.append(ConfigEntry(key: path, text: "[" + items.joined(separator: ", ") + "]", source: .file, origin: line(n, origin)))
        } else if let s = n.scalar {
            out.append(ConfigEntry(key: path, text: s.string, source: .file, origin: line(n, origin)))
        }
    }
}
