// swift-tools-version:6.0
import PackageDescription

// The kernel-side targets are single-threaded by design; dynamic exclusivity checks cost ~10% of a backtest.
let kernelSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
// Indicators are called once per value from other modules (strategies, the detector): let the optimiser inline them.
let indicatorSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "ws-tester",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ws-tester", targets: ["ws-tester"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        // The embedded history store (issue 9): SQLite through GRDB; Kraken's ZIP archives read as streams.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        // The server history store (issue 9): PostgreSQL, COPY for bulk writes.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        // The local Kraken v2 server (issue 10), which the live client's tests also run against.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.0"),
    ],
    targets: [
        // Value types and ports: no clocks, no I/O, stdlib only.
        .target(name: "TradingCore", swiftSettings: kernelSettings),
        .target(name: "MarketData", dependencies: ["TradingCore"], swiftSettings: kernelSettings),
        // Indicator maths in Double, streaming and batch (issue 6); TradingCore only.
        .target(name: "Indicators", dependencies: ["TradingCore"], swiftSettings: indicatorSettings),
        // Market-regime detection (issue 6): a synchronous state machine over closed candles; no clock, no I/O.
        .target(name: "Regime", dependencies: ["TradingCore", "Indicators"], swiftSettings: kernelSettings),
        .target(name: "PaperExchange", dependencies: ["TradingCore"], swiftSettings: kernelSettings),
        .target(name: "Strategies", dependencies: ["TradingCore", "Indicators", "Regime"], swiftSettings: kernelSettings),
        .target(name: "TradingEngine", dependencies: ["TradingCore", "MarketData", "PaperExchange", "Regime"], swiftSettings: kernelSettings),
        // The one configuration schema: YAML, environment, flags and recording headers validate through it.
        .target(name: "AppConfiguration", dependencies: [
            "TradingCore", "MarketData", "PaperExchange", "Strategies", "Regime", .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "Backtest", dependencies: [
            "TradingCore", "MarketData", "PaperExchange", "TradingEngine", "Strategies", "AppConfiguration", "Regime",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: kernelSettings),
        // Kraken WebSocket v2 at the edge (issue 8): exact parsing, checksum-verified books, trade gaps; no Kraken type
        // crosses inward (everything leaves as `MarketEvent`s).
        // The transport is swift-websocket's WSClient (TLS through swift-nio-ssl).
        .target(name: "KrakenWS", dependencies: [
            "TradingCore", .product(name: "WSClient", package: "swift-websocket"), .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
        ], swiftSettings: kernelSettings),
        // Market history (issue 9): the HistoryStore port, SQLite (GRDB) store, rollups, gaps, Kraken CSV import.
        .target(name: "History", dependencies: [
            "TradingCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"), .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
        ]),
        // The live driver (issue 8): owns the kernel, feeds it from the bounded buffer, shuts down through service-lifecycle.
        .target(name: "LiveSession", dependencies: [
            "TradingCore", "TradingEngine", "KrakenWS", "Backtest", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The local Kraken v2 server (issue 10): the same channels and public REST as Kraken, from the seeded simulator,
        // with every fault of market-data §4.4. A synchronous engine; Hummingbird 2 at the edge.
        .target(name: "KrakenSim", dependencies: [
            "TradingCore", "MarketData", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"), .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ]),
        // The edge's HTTP fetches (external sentiment); may do I/O, never part of the kernel.
        .target(name: "ExternalData", dependencies: [
            "TradingCore", "Regime", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // The command line: the only composition root. A library so tests can drive it.
        .target(name: "WSTesterCLI", dependencies: [
            "TradingCore", "MarketData", "PaperExchange", "TradingEngine", "Strategies", "Backtest", "AppConfiguration", "ExternalData",
            "Indicators", "Regime", "KrakenWS", "LiveSession", "History", "KrakenSim",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "ws-tester", dependencies: ["WSTesterCLI"]),
        // Benchmarks/bench_indicators.py: per-update cost of the streaming indicators (not run by tests).
        .executableTarget(name: "indicator-bench", dependencies: ["TradingCore", "Indicators"], path: "Benchmarks/IndicatorBench",
                          swiftSettings: kernelSettings),
        // Benchmarks/README.md: matching cost per market event with 1, 10, 100 resting orders (not run by tests).
        .executableTarget(name: "matching-bench", dependencies: ["TradingCore", "MarketData", "PaperExchange", "TradingEngine"],
                          path: "Benchmarks/MatchingBench", swiftSettings: kernelSettings),
        // scripts/test: each strategy alone for 24 simulated hours on three seeds, audited and repeated (a release build).
        .executableTarget(name: "strategy-days", dependencies: ["TradingCore", "MarketData", "PaperExchange", "TradingEngine", "Strategies"],
                          path: "Tools/StrategyDays", swiftSettings: kernelSettings),
        // Benchmarks/README.md: ns per decision of each strategy over a simulated session (not run by tests).
        .executableTarget(name: "decision-bench", dependencies: ["TradingCore", "MarketData", "PaperExchange", "TradingEngine", "Strategies"],
                          path: "Benchmarks/DecisionBench", swiftSettings: kernelSettings),
        // Benchmarks/bench_history_import.py: SQLite insert loops (the ceiling the import is measured against).
        .executableTarget(name: "history-bench", dependencies: [
            "History", "TradingCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ], path: "Benchmarks/HistoryBench"),
        // Benchmarks/bench_kraken_sim.py: frames/s the local Kraken v2 server sustains to 1 and to 20 clients (not run by tests).
        .executableTarget(name: "sim-bench", dependencies: [
            "KrakenSim", "TradingCore", .product(name: "WSClient", package: "swift-websocket"), .product(name: "NIOCore", package: "swift-nio"),
        ], path: "Benchmarks/SimBench"),
        .testTarget(name: "TradingCoreTests", dependencies: ["TradingCore"]),
        .testTarget(name: "HistoryTests", dependencies: [
            "History", "TradingCore", .product(name: "ZIPFoundation", package: "ZIPFoundation"), .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "KrakenWSTests", dependencies: ["KrakenWS", "TradingCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LiveSessionTests", dependencies: [
            "LiveSession", "KrakenWS", "TradingCore", "TradingEngine", "Backtest", "MarketData", "PaperExchange", "Strategies",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "KrakenSimTests", dependencies: [
            "KrakenSim", "KrakenWS", "LiveSession", "TradingCore", "TradingEngine", "Backtest", "MarketData", "PaperExchange", "Strategies",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "MarketDataTests", dependencies: ["MarketData", "TradingCore"]),
        .testTarget(name: "IndicatorsTests", dependencies: ["Indicators", "TradingCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RegimeTests", dependencies: ["Regime", "Indicators", "TradingCore", "MarketData"]),
        // A loopback HTTP server for tests of the edge (external sentiment; later the REST client).
        .target(name: "TestSupport", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
        ], path: "Tests/TestSupport"),
        .testTarget(name: "ExternalDataTests", dependencies: [
            "ExternalData", "Regime", "TradingCore", "TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "PaperExchangeTests", dependencies: ["PaperExchange", "TradingCore", "MarketData"]),
        .testTarget(name: "StrategiesTests", dependencies: ["Strategies", "TradingCore", "MarketData", "TradingEngine", "PaperExchange", "Indicators"]),
        .testTarget(name: "TradingEngineTests", dependencies: ["TradingEngine", "TradingCore", "MarketData", "PaperExchange", "Strategies", "Regime"]),
        .testTarget(name: "BacktestTests", dependencies: ["Backtest", "TradingEngine", "TradingCore", "MarketData", "PaperExchange", "Strategies",
                                                    "Regime", .product(name: "Crypto", package: "swift-crypto")],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AppConfigurationTests", dependencies: ["AppConfiguration", "TradingCore", "MarketData", "PaperExchange"]),
        .testTarget(name: "WSTesterCLITests", dependencies: ["WSTesterCLI", "TradingCore", "AppConfiguration", "Backtest", "TestSupport"],
                    resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
