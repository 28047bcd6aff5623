import ArgumentParser
import Foundation
import AppConfiguration

/// The one version constant: banner, `--version`, session start.
public let wsTesterVersion = "0.1.0"

public struct WSTester: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ws-tester",
        abstract: "Paper-trade and backtest crypto strategies against Kraken WebSocket v2 data or a seeded simulator.",
        discussion: """
        Without a subcommand, `run` is used, so `ws-tester --duration 5 --simulated` starts a simulated session.
        Exit codes: 0 normal end, 1 configuration or argument error, 2 live feed unavailable, \
        3 strategy selection error, 130 forced stop (second Ctrl+C).
        """,
        version: wsTesterVersion,
        subcommands: [RunCommand.self, BacktestCommand.self, StrategiesCommand.self, IndicatorCommand.self, ConfigCommand.self, KrakenCommand.self, DataCommand.self],
        defaultSubcommand: RunCommand.self)

    public init() {}

    /// Parses and runs; returns the process exit status. Usage errors exit 1 (not ArgumentParser's 64).
    public static func runMain(_ arguments: [String]? = nil) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let e as ExitCode {
            return e.rawValue
        } catch let e as ConfigError {
            FileHandle.standardError.write(Data("error: \(e.message)\n".utf8))
            return 1
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return 0
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            return code == .validationFailure ? 1 : code.rawValue
        }
    }
}

/// Pushes buffered output out, so `ws-tester … | tee` shows lines as they happen (fflush(NULL) flushes
/// every stream without touching the `stdout` global, which Swift 6 treats as unsafe shared state).
func flushOutput() { fflush(nil) }

func fail(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(code)
}
