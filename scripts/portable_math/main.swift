// Test/benchmark driver for PortableMath (not part of the deliverable).
//   driver eval exp|log|cos < inputs.hex   -> per line: "<portable hex> <glibc hex>"
//   driver bench                            -> ns/call for portable vs glibc
import Glibc

func hex(_ x: Double) -> String {
    let s = String(x.bitPattern, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

let args = CommandLine.arguments
if args.count >= 3 && args[1] == "eval" {
    let fname = args[2]
    let port: (Double) -> Double
    let ref: (Double) -> Double
    switch fname {
    case "exp": port = PortableMath.exp; ref = { Glibc.exp($0) }
    case "log": port = PortableMath.log; ref = { Glibc.log($0) }
    case "cos": port = PortableMath.cos; ref = { Glibc.cos($0) }
    default: fatalError("unknown function")
    }
    var out = ""
    out.reserveCapacity(1 << 20)
    while let line = readLine() {
        guard let b = UInt64(line, radix: 16) else { continue }
        let x = Double(bitPattern: b)
        out += hex(port(x)) + " " + hex(ref(x)) + "\n"
        if out.utf8.count > (1 << 20) { print(out, terminator: ""); out = "" }
    }
    print(out, terminator: "")
} else if args.count >= 2 && args[1] == "bench" {
    func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
    }
    // deterministic inputs (xorshift)
    var state: UInt64 = 0x9E3779B97F4A7C15
    func next() -> Double {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Double(state >> 11) * 0x1p-53
    }
    let n = 1 << 20
    let expIn = (0..<n).map { _ in next() * 1400.0 - 700.0 }
    let logIn = (0..<n).map { _ in Glibc.exp(next() * 1400.0 - 700.0) }
    let cosIn = (0..<n).map { _ in next() * 2.0 * Double.pi }           // cos(2*pi*u)
    let cosBig = (0..<n).map { _ in next() * 2e5 - 1e5 }               // [-1e5, 1e5]
    let cosHuge = (0..<n).map { _ in Glibc.exp(next() * 690.0 + 15.0) } // [3e6, 1e306]

    @inline(never) func run(_ name: String, _ xs: [Double], _ f: (Double) -> Double) {
        var best = Double.infinity
        var sink = 0.0
        for _ in 0..<7 {
            let t0 = now()
            for x in xs { sink += f(x) }
            let t1 = now()
            best = min(best, (t1 - t0) / Double(xs.count))
        }
        let label = name + String(repeating: " ", count: max(0, 30 - name.count))
        let ns = (best * 100).rounded() / 100
        print("\(label) \(ns) ns/call   (sink \(sink.isNaN ? 0 : 1))")
    }
    run("PortableMath.exp", expIn, PortableMath.exp)
    run("glibc exp", expIn, { Glibc.exp($0) })
    run("PortableMath.log", logIn, PortableMath.log)
    run("glibc log", logIn, { Glibc.log($0) })
    run("PortableMath.cos [0,2pi)", cosIn, PortableMath.cos)
    run("glibc cos [0,2pi)", cosIn, { Glibc.cos($0) })
    run("PortableMath.cos [-1e5,1e5]", cosBig, PortableMath.cos)
    run("glibc cos [-1e5,1e5]", cosBig, { Glibc.cos($0) })
    run("PortableMath.cos [3e6,1e306]", cosHuge, PortableMath.cos)
    run("glibc cos [3e6,1e306]", cosHuge, { Glibc.cos($0) })
} else {
    print("usage: driver eval exp|log|cos < in.hex | driver bench")
}
