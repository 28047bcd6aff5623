import Foundation
import Testing

/// `ws-tester indicator`: the real binary over a CSV of the TA-Lib golden series prints TA-Lib's values (the
/// golden file is TA-Lib's own output, scripts/talib_golden.py), empty cells while not ready, and clear errors.
@Suite(.serialized) struct IndicatorCommandTests {
    struct Golden: Decodable {
        struct Series: Decodable { let close: [Double]; let high: [Double]; let low: [Double]; let outputs: [String: [Double?]] }
        let series: [String: Series]
    }

    static let golden: Golden = {
        let path = CommandLineTests.root + "/Tests/IndicatorsTests/Fixtures/talib_golden.json"
        return try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }()

    func run(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        p.arguments = args
        // stderr to a file, stdout through a pipe read to its end: neither can fill up and block the child.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("wst-ind-\(getpid())-err").path
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let e = FileManager.default.contents(atPath: errPath) ?? Data()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func csv(_ s: Golden.Series, name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wst-ind-\(getpid())-\(name).csv").path
        var text = "timestamp,open,high,low,close,volume\n"
        for i in s.close.indices {
            text += "\(1_736_899_200 + 60 * i),\(s.close[i]),\(s.high[i]),\(s.low[i]),\(s.close[i]),1\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func column(_ out: String, _ name: String) -> [Double?] {
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let k = header.firstIndex(of: name)!
        return lines.dropFirst().map { l in
            let cell = l.split(separator: ",", omittingEmptySubsequences: false)[k]
            return cell.isEmpty ? nil : Double(cell)!
        }
    }

    func expectTALib(_ got: [Double?], _ want: [Double?], _ what: String) {
        #expect(got.count == want.count, "\(what): rows")
        #expect(got.firstIndex { $0 != nil } == want.firstIndex { $0 != nil }, "\(what): first ready row")
        for (i, (a, b)) in zip(got, want).enumerated() {
            switch (a, b) {
            case (nil, nil): continue
            case (let x?, let y?): #expect(abs(x - y) <= 1e-9 * max(1, abs(y)), "\(what)[\(i)]: \(x) vs TA-Lib \(y)")
            default: Issue.record("\(what)[\(i)]: \(String(describing: a)) vs TA-Lib \(String(describing: b))")
            }
        }
    }

    @Test func printsTALibValues() throws {
        let s = try #require(Self.golden.series["random_walk"])
        let path = try csv(s, name: "rw")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let macd = try run(["indicator", "macd", "--input", path, "--param", "fast=12", "--param", "slow=26", "--param", "signal=9"])
        #expect(macd.code == 0, "\(macd.err)")
        #expect(macd.out.hasPrefix("timestamp,macd,signal,hist\n2025-01-15T00:00:00"))
        expectTALib(column(macd.out, "macd"), s.outputs["macd_12_26_9"]!, "macd")
        expectTALib(column(macd.out, "signal"), s.outputs["macdsignal_12_26_9"]!, "macd signal")
        expectTALib(column(macd.out, "hist"), s.outputs["macdhist_12_26_9"]!, "macd hist")
        let bb = try run(["indicator", "bollinger", "--input", path, "--param", "period=20", "--param", "stddev=2"])
        #expect(bb.out.hasPrefix("timestamp,upper,middle,lower\n"))
        expectTALib(column(bb.out, "upper"), s.outputs["bbupper_20"]!, "bb upper")
        expectTALib(column(bb.out, "lower"), s.outputs["bblower_20"]!, "bb lower")
        let adx = try run(["indicator", "adx", "--input", path])
        #expect(adx.out.hasPrefix("timestamp,adx,plus_di,minus_di\n"))
        expectTALib(column(adx.out, "adx"), s.outputs["adx_14"]!, "adx")
        expectTALib(column(adx.out, "plus_di"), s.outputs["plusdi_14"]!, "+di")
        let rsi = try run(["indicator", "rsi", "--input", path, "--param", "period=7", "--timeframe", "1m"])
        #expect(rsi.out.hasPrefix("timestamp,rsi\n"))
        expectTALib(column(rsi.out, "rsi"), s.outputs["rsi_7"]!, "rsi")
        let chop = try run(["indicator", "choppiness", "--input", path])
        expectTALib(column(chop.out, "choppiness"), s.outputs["chop_14"]!, "choppiness")
    }

    @Test func correlationAlignsOnTimestamps() throws {
        let s = try #require(Self.golden.series["random_walk"])
        let a = try csv(s, name: "a")
        // The partner is the highs, with one row missing: that row is empty and the rest pair up by time.
        let b = FileManager.default.temporaryDirectory.appendingPathComponent("wst-ind-\(getpid())-b.csv").path
        var text = "timestamp,open,high,low,close,volume\n"
        for i in s.high.indices where i != 150 { text += "\(1_736_899_200 + 60 * i),\(s.high[i]),\(s.high[i]),\(s.high[i]),\(s.high[i]),1\n" }
        try text.write(toFile: b, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        let r = try run(["indicator", "correlation", "--input", a, "--against", b, "--param", "period=20", "--timeframe", "1m"])
        #expect(r.code == 0, "\(r.err)")
        let got = column(r.out, "correlation")
        // Before the gap: TA-Lib's CORREL(ROCP(close), ROCP(high)) exactly.
        expectTALib(Array(got.prefix(150)), Array(s.outputs["correl_20"]!.prefix(150)), "correlation")
        #expect(got[150] == nil && r.err.contains("1 bar(s)"))
    }

    @Test func errors() throws {
        let s = try #require(Self.golden.series["flat"])
        let path = try csv(s, name: "flat")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (args, message) in [
            (["indicator", "nope", "--input", path], "unknown indicator"),
            (["indicator", "sma", "--input", path, "--param", "length=3"], "no parameter 'length'"),
            (["indicator", "sma", "--input", path, "--param", "period=0"], "period must be an integer"),
            (["indicator", "macd", "--input", path, "--param", "fast=30"], "fast < slow"),
            (["indicator", "sma", "--input", path, "--param", "period"], "key=value"),
            (["indicator", "sma", "--input", "/nonexistent.csv"], "cannot read"),
            (["indicator", "sma"], "--input"),
            (["indicator", "correlation", "--input", path], "--against"),
        ] {
            let r = try run(args)
            #expect(r.code == 1 && r.err.contains(message), "\(args): \(r.err)")
        }
        let list = try run(["indicator", "--list"])
        #expect(list.code == 0 && list.out.contains("macd — ") && list.out.contains("--param stddev=2") && list.out.contains("outputs: adx, plus_di, minus_di"))
        // Not ready is an empty cell, never a made-up value.
        let sma = try run(["indicator", "sma", "--input", path, "--param", "period=5"])
        let first = sma.out.split(separator: "\n")[1]
        #expect(first.hasSuffix(",") && column(sma.out, "sma")[4] == 2.35)
    }
}
