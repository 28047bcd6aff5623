#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// libm, named so callers need no platform imports.
public enum Math {
    @inlinable public static func log(_ x: Double) -> Double { _log(x) }
    @inlinable public static func exp(_ x: Double) -> Double { _exp(x) }
    @inlinable public static func cos(_ x: Double) -> Double { _cos(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
}

@usableFromInline func _log(_ x: Double) -> Double { log(x) }
@usableFromInline func _exp(_ x: Double) -> Double { exp(x) }
@usableFromInline func _cos(_ x: Double) -> Double { cos(x) }
