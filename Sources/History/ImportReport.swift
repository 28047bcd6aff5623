import TradingCore

/// What `data import` did with one file.
public struct FileImportReport: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case imported
        case skipped(String)
        case failed(String)
    }
    public var file: String
    public var kind: String = ""
    public var symbol: Symbol?
    public var intervalMinutes: Int?
    public var status: Status = .imported
    public var rowsRead = 0
    public var rowsKept = 0
    public var tradesInserted = 0
    public var tradesDuplicate = 0
    public var candlesWritten = 0
    public var rejected: [RowRejection: Int] = [:]
    /// The first problems, `file:line: reason`.
    public var problems: [String] = []

    public init(file: String) { self.file = file }
    public var rejectedTotal: Int { rejected.values.reduce(0, +) }
}

public struct ImportReport: Sendable, Equatable {
    public var files: [FileImportReport] = []
    public var refresh = RollupRefresher.Report()
    public init() {}
    public var rowsKept: Int { files.reduce(0) { $0 + $1.rowsKept } }
    public var rejected: Int { files.reduce(0) { $0 + $1.rejectedTotal } }
    public var failed: Int { files.filter { if case .failed = $0.status { true } else { false } }.count }
}

/// Progress while importing, for the command line's bar (rows/s, ETA) or plain lines.
public struct ImportProgress: Sendable {
    public var file: String
    public var fileIndex: Int
    public var fileCount: Int
    public var bytesDone: UInt64
    public var bytesTotal: UInt64
    public var rows: Int
}
