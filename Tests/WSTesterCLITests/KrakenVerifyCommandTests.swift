import Foundation
import Testing
@testable import WSTesterCLI

/// `ws-tester kraken verify` over the spec's fixtures (decision 33's names): the book stream's two mismatches are
/// counted (a capture cannot be resubscribed), and the exit status says whether everything verified.
@Suite(.serialized) struct KrakenVerifyCommandTests {
    let dir = CommandLineTests.root + "/Tests/KrakenWSTests/Fixtures/"

    func verify(_ file: String, _ extra: [String] = []) throws -> (Int32, [String: Any]) {
        // The JSON goes to stdout: run the binary and capture it.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        p.arguments = ["kraken", "verify", dir + file, "--json"] + extra
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = Pipe()
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, try JSONSerialization.jsonObject(with: data) as! [String: Any])
    }

    @Test func theSpecsFixtures() throws {
        let (code, book) = try verify("book-btcusd.jsonl")
        #expect(code == 1)
        #expect(book["messages"] as? Int == 12 && book["books"] as? Int == 1 && book["checksum_failures"] as? Int == 2 && book["parse_errors"] as? Int == 0)
        #expect((book["first_problems"] as? [String])?.first?.hasPrefix("line 8: BTC/USD checksum 2287468397, computed 2203053870") == true)
        #expect(book["stages"] == nil && book["msgs_per_second"] is Double && book["mb_per_second"] is Double)
        let (_, timed) = try verify("book-btcusd.jsonl", ["--stages"])
        let stages = try #require(timed["stages"] as? [String: Double])
        #expect(Set(stages.keys) == ["parse_s", "apply_s", "checksum_s"] && timed["checksum_failures"] as? Int == 2)
        let (ok, control) = try verify("control.jsonl")
        #expect(ok == 0 && control["messages"] as? Int == 15 && control["heartbeats"] as? Int == 2)
        #expect(WSTester.runMain(["kraken", "verify", "/nonexistent.jsonl"]) == 1)
        #expect(WSTester.runMain(["kraken", "verify", dir + "control.jsonl", "--precision", "BTC/USD=x"]) == 1)
    }
}
