@_exported import NIOHTTP1
import NIOCore
import NIOPosix
import NIOHTTP1
import Synchronization

/// A loopback HTTP server whose routes a test sets: a status, a body and an optional delay (a delay past the
/// client's timeout is a timeout). Counts requests per path.
public final class LocalHTTPServer: Sendable {
    public struct Route: Sendable {
        public var status: HTTPResponseStatus = .ok, body: String, delayMs: Int64 = 0
        /// Send the head and half the body, then nothing more (a server that stalls mid-response).
        public var stallBody = false
        public init(status: HTTPResponseStatus = .ok, body: String, delayMs: Int64 = 0, stallBody: Bool = false) {
            self.status = status; self.body = body; self.delayMs = delayMs; self.stallBody = stallBody
        }
    }

    private let routes = Mutex<[String: Route]>([:])
    private let hits = Mutex<[String: Int]>([:])
    private let headersSeen = Mutex<[String: [String: String]]>([:])
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: Channel
    public let port: Int

    public init() throws {
        let box = Box()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.pipeline.configureHTTPServerPipeline().flatMap { ch.pipeline.addHandler(Handler(server: box)) }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress!.port!
        box.server = self
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
    public func set(_ path: String, _ r: Route) { routes.withLock { $0[path] = r } }
    public func count(_ path: String) -> Int { hits.withLock { $0[path] ?? 0 } }
    public func headers(_ path: String) -> [String: String] { headersSeen.withLock { $0[path] ?? [:] } }

    public func shutdown() throws {
        try channel.close().wait()
        try group.syncShutdownGracefully()
    }

    fileprivate func route(_ path: String, headers: HTTPHeaders) -> Route {
        hits.withLock { $0[path, default: 0] += 1 }
        headersSeen.withLock { $0[path] = Dictionary(headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a }) }
        return routes.withLock { $0[path] } ?? Route(status: .notFound, body: "")
    }

    final class Box: @unchecked Sendable { weak var server: LocalHTTPServer? }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: Box
        var head: HTTPRequestHead?
        init(server: Box) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h
            case .body: break
            case .end:
                guard let h = head, let s = server.server else { return }
                let r = s.route(h.uri, headers: h.headers)
                let respond = {
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: "application/json")
                    headers.add(name: "Content-Length", value: "\(r.body.utf8.count)")
                    context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: r.status, headers: headers))), promise: nil)
                    if r.stallBody {
                        context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: String(r.body.prefix(r.body.count / 2)))))), promise: nil)
                        return
                    }
                    context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: r.body)))), promise: nil)
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                }
                if r.delayMs > 0 {
                    context.eventLoop.scheduleTask(in: .milliseconds(r.delayMs)) { respond() }
                } else {
                    respond()
                }
            }
        }
    }
}
