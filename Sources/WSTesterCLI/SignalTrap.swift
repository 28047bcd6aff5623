#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Counts SIGINT/SIGTERM. The first asks for a graceful stop (finish the tick, summary, flush);
/// a second one exits at once with status 130.
let stopRequests = Atomic<Int>(0)

enum SignalTrap {
    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            let n = stopRequests.add(1, ordering: .relaxed).newValue
            if n >= 2 { _exit(130) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have started us with these signals blocked (test runners, some supervisors).
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    static var stopRequested: Bool { stopRequests.load(ordering: .relaxed) > 0 }
}
