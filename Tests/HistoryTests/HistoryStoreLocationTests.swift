import Testing
@testable import History

/// Store URLs (decision 35) and their redaction in every message: no password ever printed.
@Suite struct HistoryStoreLocationTests {
    @Test func passwordsAreHiddenWhereverTheyAre() {
        #expect(HistoryStoreLocation.redacted("postgres://ws:secret@db.example:5432/hist") == "postgres://ws:***@db.example:5432/hist")
        // An unencoded @ in the password: the userinfo ends at the last @ of the authority.
        #expect(HistoryStoreLocation.redacted("postgres://ws:p@ss@w0rd@db/hist") == "postgres://ws:***@db/hist")
        #expect(HistoryStoreLocation.redacted("postgres://db/hist?user=ws&password=hunter2&sslmode=require")
                == "postgres://db/hist?user=ws&password=***&sslmode=require")
        #expect(HistoryStoreLocation.redacted("postgres://ws@db/hist") == "postgres://ws@db/hist")
        #expect(HistoryStoreLocation.redacted("postgres://db/a@b") == "postgres://db/a@b")   // an @ in the path is not userinfo
        #expect(!HistoryStoreLocation.redacted("postgresql://u:topsecret@h/d?password=topsecret").contains("topsecret"))
        #expect(HistoryStoreLocation.redacted("sqlite:///srv/h.sqlite") == "sqlite:///srv/h.sqlite")
    }
}
