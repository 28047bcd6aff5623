import Foundation
import ZIPFoundation

/// A file's bytes, chunk by chunk: a plain file or one entry of a ZIP archive, never loaded whole.
public struct ImportInput: Sendable {
    public enum Origin: Sendable { case file(String), zipEntry(archive: String, entry: String) }
    public let origin: Origin
    /// The CSV's own name (`XBTUSD_1.csv`), which says pair and interval.
    public let name: String
    public let size: UInt64

    public var displayName: String {
        switch origin {
        case .file(let p): p
        case .zipEntry(let a, let e): "\(a):\(e)"
        }
    }

    /// Files and ZIP entries under `paths` (a directory lists its `.csv` and `.zip` files), in name order.
    public static func expand(_ paths: [String]) throws -> [ImportInput] {
        var out: [ImportInput] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw HistoryError.importFailed("\(p): no such file or directory") }
            let files: [String]
            if isDir.boolValue {
                files = try fm.contentsOfDirectory(atPath: p).sorted()
                    .filter { $0.lowercased().hasSuffix(".csv") || $0.lowercased().hasSuffix(".zip") }
                    .map { (p as NSString).appendingPathComponent($0) }
            } else {
                files = [p]
            }
            for f in files {
                if f.lowercased().hasSuffix(".zip") {
                    let archive: Archive
                    do { archive = try Archive(url: URL(fileURLWithPath: f), accessMode: .read) } catch {
                        throw HistoryError.importFailed("\(f): not a readable ZIP archive (\(error))")
                    }
                    let entries = archive.filter { $0.type == .file && $0.path.lowercased().hasSuffix(".csv") }.sorted { $0.path < $1.path }
                    for e in entries {
                        out.append(ImportInput(origin: .zipEntry(archive: f, entry: e.path), name: (e.path as NSString).lastPathComponent,
                                               size: e.uncompressedSize))
                    }
                } else {
                    let size = (try? fm.attributesOfItem(atPath: f)[.size] as? NSNumber)?.uint64Value ?? 0
                    out.append(ImportInput(origin: .file(f), name: (f as NSString).lastPathComponent, size: size))
                }
            }
        }
        return out
    }

    /// The bytes in chunks of about 1 MiB, read (or, for a ZIP entry, inflated) on a thread of its own that waits
    /// while two chunks are unread: memory stays bounded however large the file.
    public func chunks() -> ChunkPipe {
        let pipe = ChunkPipe()
        let origin = self.origin
        let t = Thread {
            do {
                switch origin {
                case .file(let path):
                    guard let h = FileHandle(forReadingAtPath: path) else { throw HistoryError.importFailed("\(path): cannot open") }
                    defer { try? h.close() }
                    while let d = try h.read(upToCount: 1 << 20), !d.isEmpty { try pipe.put(d) }
                case .zipEntry(let archivePath, let entryPath):
                    let archive = try Archive(url: URL(fileURLWithPath: archivePath), accessMode: .read)
                    guard let entry = archive[entryPath] else { throw HistoryError.importFailed("\(archivePath): no entry \(entryPath)") }
                    _ = try archive.extract(entry, bufferSize: 1 << 20) { d in try pipe.put(d) }
                }
                pipe.finish(nil)
            } catch { pipe.finish(error) }
        }
        t.start()
        return pipe
    }
}

/// A bounded hand-over from the reading thread to the importer: `put` blocks the reader while two chunks wait;
/// `next` suspends the importer until a chunk or the end arrives. `cancel` makes the reader stop. One condition
/// variable guards the queue (a semaphore count could be left unbalanced by a cancel, which libdispatch traps on).
public final class ChunkPipe: @unchecked Sendable {
    private let cond = NSCondition()
    private var queue: [Data] = []
    private var ended = false
    private var failure: Error?
    private var cancelled = false
    private var waiter: CheckedContinuation<Void, Never>?

    func put(_ d: Data) throws {
        cond.lock()
        while queue.count >= 2 && !cancelled { cond.wait() }
        if cancelled { cond.unlock(); throw CancellationError() }
        queue.append(d)
        let w = waiter; waiter = nil
        cond.unlock()
        w?.resume()
    }

    func finish(_ error: Error?) {
        cond.lock()
        ended = true; failure = error
        let w = waiter; waiter = nil
        cond.unlock()
        w?.resume()
    }

    public func cancel() {
        cond.lock(); cancelled = true; queue.removeAll(); cond.broadcast(); cond.unlock()
    }

    enum Poll { case chunk(Data), end(Error?), wait }

    func poll() -> Poll {
        cond.lock()
        defer { cond.unlock() }
        if !queue.isEmpty {
            let d = queue.removeFirst()
            cond.broadcast()
            return .chunk(d)
        }
        return ended ? .end(failure) : .wait
    }

    /// Registers the importer's continuation unless something arrived meanwhile.
    func park(_ c: CheckedContinuation<Void, Never>) {
        cond.lock()
        if !queue.isEmpty || ended { cond.unlock(); c.resume(); return }
        waiter = c
        cond.unlock()
    }

    public func next() async throws -> Data? {
        while true {
            switch poll() {
            case .chunk(let d): return d
            case .end(let f):
                if let f { throw f }
                return nil
            case .wait:
                await withCheckedContinuation { park($0) }
            }
        }
    }
}
